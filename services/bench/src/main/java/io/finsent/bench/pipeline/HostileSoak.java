package io.finsent.bench.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The slow-client and big-body attacks of issue 16 against running services, on loopback, bounded in time: slow
 * clients send the headers of a POST that promises 1,000 bytes of body and then one byte per trickle interval
 * (reconnecting when the service closes the connection); big-body clients post 1 MB bodies in a loop (520,000
 * tickers to ingest, a 1 MB JSON value to the other APIs), with a key of their own where the service has one. Meanwhile a probe checks every two seconds that each
 * service's readiness answers and that ingest takes a push from another client. Before and after, each service's heap
 * is measured after a full GC ({@code jcmd PID GC.run}), with its live threads.
 *
 * <p>It passes when every probe was answered in time, every service is ready afterwards and takes work, and heap and
 * threads are back to their baseline: heap after at most the baseline plus a quarter plus 32 MiB, threads at most 16 more.
 */
public final class HostileSoak {

    /** A running service to attack: its URL, process id, the POST path, and the keys of the slow and of the big-body attack. */
    public record Target(String name, String url, long pid, String attackPath, String slowKey, String bigKey) {
    }

    public record Settings(Duration duration, int slowClients, int bigClients, Duration trickle, Duration settle) {
    }

    /** What one service went through. */
    public record ServiceResult(String name, double heapBeforeMiB, double heapAfterMiB, double peakHeapMiB, int threadsBefore, int threadsAfter,
                                int peakThreads, int probes, int probeFailures, long slowestProbeMs, boolean readyAfter,
                                Map<String, Long> slowAnswers, Map<String, Long> bigAnswers, Map<String, Long> failedProbes) {

        public boolean heapBack() {
            return heapAfterMiB <= heapBeforeMiB * 1.25 + 32;
        }

        public boolean threadsBack() {
            return threadsAfter <= threadsBefore + 16;
        }

        public boolean passed() {
            return readyAfter && probeFailures == 0 && heapBack() && threadsBack();
        }
    }

    public record Result(List<ServiceResult> services, boolean pushAfter, long slowConnections, long bigRequests, double seconds,
                         boolean gcForced) {

        public boolean passed() {
            return pushAfter && services.stream().allMatch(ServiceResult::passed);
        }
    }

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static final byte[] TICKERS_BODY = tickersBody();
    private static final byte[] BIG_JSON_BODY = ("{\"comment\": \"" + "x".repeat(1_000_000) + "\"}").getBytes(StandardCharsets.US_ASCII);

    private final List<Target> targets;
    private final String ingestUrl;
    private final String probeKey;
    private final Settings settings;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Map<String, LongAdder>> slowAnswers = new ConcurrentHashMap<>();
    private final Map<String, Map<String, LongAdder>> bigAnswers = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> probes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> probeFailures = new ConcurrentHashMap<>();
    private final Map<String, Map<String, LongAdder>> failedProbeAnswers = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> slowestProbe = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> peakThreads = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> peakHeap = new ConcurrentHashMap<>();
    private final LongAdder slowConnections = new LongAdder();
    private final LongAdder bigRequests = new LongAdder();

    /** @param probeKey a push key of ingest (at {@code ingestUrl}) other than the attack's */
    public HostileSoak(List<Target> targets, String ingestUrl, String probeKey, Settings settings) {
        this.targets = List.copyOf(targets);
        this.ingestUrl = ingestUrl;
        this.probeKey = probeKey;
        this.settings = settings;
    }

    public Result run(PrintWriter progress) throws InterruptedException {
        long start = System.nanoTime();
        boolean gc = gcAll();
        Map<String, double[]> before = new TreeMap<>();
        for (Target t : targets) {
            before.put(t.name(), new double[] {heapMiB(t), threads(t)});
            progress.printf("%s: heap %.0f MiB after GC, %d threads%n", t.name(), before.get(t.name())[0], (int) before.get(t.name())[1]);
        }
        progress.printf("attacking for %s: %d slow clients (a byte every %s), %d big-body clients ...%n", settings.duration(),
                settings.slowClients(), settings.trickle(), settings.bigClients());
        progress.flush();
        long end = System.nanoTime() + settings.duration().toNanos();
        ScheduledExecutorService slow = Executors.newScheduledThreadPool(4);
        List<SlowClient> clients = new ArrayList<>();
        for (int i = 0; i < settings.slowClients(); i++) {
            SlowClient c = new SlowClient(targets.get(i % targets.size()));
            clients.add(c);
            long offset = settings.trickle().toMillis() * i / Math.max(1, settings.slowClients());
            slow.scheduleWithFixedDelay(c::tick, offset, settings.trickle().toMillis(), TimeUnit.MILLISECONDS);
        }
        ExecutorService big = Executors.newFixedThreadPool(Math.max(1, settings.bigClients()));
        for (int i = 0; i < settings.bigClients(); i++) {
            Target t = targets.get(i % targets.size());
            big.submit(() -> {
                while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
                    bigPost(t);
                }
            });
        }
        while (System.nanoTime() < end) {
            probeAll();
            Thread.sleep(2_000);
        }
        slow.shutdownNow();
        big.shutdownNow();
        big.awaitTermination(60, TimeUnit.SECONDS);
        slow.awaitTermination(10, TimeUnit.SECONDS);
        clients.forEach(SlowClient::close);
        progress.printf("attack over; %s to settle ...%n", settings.settle());
        progress.flush();
        Thread.sleep(settings.settle().toMillis());
        gcAll();
        List<ServiceResult> results = new ArrayList<>();
        for (Target t : targets) {
            boolean ready = status(t.url() + "/q/health/ready", null, null) == 200;
            results.add(new ServiceResult(t.name(), before.get(t.name())[0], heapMiB(t), peakHeap.computeIfAbsent(t.name(), k -> new AtomicLong()).get(),
                    (int) before.get(t.name())[1], (int) threads(t), (int) peakThreads.computeIfAbsent(t.name(), k -> new AtomicLong()).get(),
                    count(probes, t.name()), count(probeFailures, t.name()), slowestProbe.computeIfAbsent(t.name(), k -> new AtomicLong()).get(),
                    ready, tally(slowAnswers, t.name()), tally(bigAnswers, t.name()), tally(failedProbeAnswers, t.name())));
        }
        boolean pushAfter = status(ingestUrl + "/v1/items", probeKey, probeItem()) == 202;
        return new Result(results, pushAfter, slowConnections.sum(), bigRequests.sum(), (System.nanoTime() - start) / 1e9, gc);
    }

    /** One connection that sends a POST's headers and then a byte per tick; a new one when the service closes it. */
    private final class SlowClient {
        private final Target target;
        private Socket socket;

        SlowClient(Target target) {
            this.target = target;
        }

        synchronized void tick() {
            try {
                if (socket != null && socket.getInputStream().available() > 0) {
                    answered(readStatus(socket.getInputStream()));
                    return;
                }
                if (socket == null) {
                    socket = new Socket();
                    socket.connect(new InetSocketAddress(URI.create(target.url()).getHost(), URI.create(target.url()).getPort()), 5_000);
                    slowConnections.increment();
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST " + target.attackPath() + " HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + target.slowKey()
                            + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                socket.getOutputStream().write('[');
                socket.getOutputStream().flush();
            } catch (IOException e) {
                answered("reset");
            }
        }

        private void answered(String status) {
            slowAnswers.computeIfAbsent(target.name(), k -> new ConcurrentHashMap<>()).computeIfAbsent(status, k -> new LongAdder()).increment();
            close();
        }

        synchronized void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // gone already
                }
                socket = null;
            }
        }
    }

    private static String readStatus(InputStream in) throws IOException {
        byte[] head = new byte[12];
        int n = in.readNBytes(head, 0, 12);
        String line = new String(head, 0, n, StandardCharsets.US_ASCII);
        return line.startsWith("HTTP/1.1 ") && line.length() >= 12 ? line.substring(9, 12) : "closed";
    }

    private void bigPost(Target t) {
        byte[] body = t.url().equals(ingestUrl) ? TICKERS_BODY : BIG_JSON_BODY;
        String status;
        try {
            HttpResponse<byte[]> r = http.sendAsync(HttpRequest.newBuilder(URI.create(t.url() + t.attackPath())).timeout(Duration.ofSeconds(30))
                    .header("X-API-Key", t.bigKey()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray()).get(40, TimeUnit.SECONDS);
            status = Integer.toString(r.statusCode());
        } catch (ExecutionException e) {
            status = e.getCause() instanceof java.net.http.HttpTimeoutException ? "timeout" : "reset";
        } catch (TimeoutException e) {
            status = "timeout";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        bigRequests.increment();
        bigAnswers.computeIfAbsent(t.name(), k -> new ConcurrentHashMap<>()).computeIfAbsent(status, k -> new LongAdder()).increment();
    }

    /** Readiness of each service and, on ingest, a push from the probe's own key: answered 2xx within the probe timeout. */
    private void probeAll() {
        for (Target t : targets) {
            long started = System.nanoTime();
            int ready = status(t.url() + "/q/health/ready", null, null);
            int push = t.url().equals(ingestUrl) ? status(ingestUrl + "/v1/items", probeKey, probeItem()) : 202;
            long ms = (System.nanoTime() - started) / 1_000_000;
            probes.computeIfAbsent(t.name(), k -> new LongAdder()).increment();
            if (ready != 200 || push != 202) {
                probeFailures.computeIfAbsent(t.name(), k -> new LongAdder()).increment();
                String what = (ready != 200 ? "ready " + (ready < 0 ? "no answer" : ready) : "") + (ready != 200 && push != 202 ? ", " : "")
                        + (push != 202 ? "push " + (push < 0 ? "no answer" : push) : "");
                failedProbeAnswers.computeIfAbsent(t.name(), k -> new ConcurrentHashMap<>()).computeIfAbsent(what, k -> new LongAdder()).increment();
            }
            slowestProbe.computeIfAbsent(t.name(), k -> new AtomicLong()).accumulateAndGet(ms, Math::max);
            peakThreads.computeIfAbsent(t.name(), k -> new AtomicLong()).accumulateAndGet((long) threads(t), Math::max);
            peakHeap.computeIfAbsent(t.name(), k -> new AtomicLong()).accumulateAndGet((long) heapMiB(t), Math::max);
        }
    }

    private static byte[] probeItem() {
        return ("{\"id\": \"soak-probe-" + UUID.randomUUID() + "\", \"source\": \"soak\", \"published_at\": \""
                + Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(5) + "\", \"text\": \"Acme wins a contract\", \"tickers\": [\"ACME\"]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The status of a GET (body null) or POST; -1 when there is no answer within the probe timeout. */
    private int status(String url, String key, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(PROBE_TIMEOUT);
        if (key != null) {
            b.header("X-API-Key", key);
        }
        if (body != null) {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        }
        try {
            return http.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding()).get(PROBE_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS).statusCode();
        } catch (ExecutionException | TimeoutException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static double heapMiB(Target t) {
        return ScorerMetricsScrape.sum(t.url(), "jvm_memory_used_bytes", "area=\"heap\"") / (1024 * 1024);
    }

    private static double threads(Target t) {
        return ScorerMetricsScrape.sum(t.url(), "jvm_threads_live_threads", "");
    }

    /** A full GC in every service, so that heap figures are live data; false when jcmd is not there or failed. */
    private boolean gcAll() throws InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return false;
        }
        boolean all = true;
        for (Target t : targets) {
            try {
                Process p = new ProcessBuilder(jcmd.toString(), Long.toString(t.pid()), "GC.run").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                all &= p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                all = false;
            }
        }
        Thread.sleep(1_000);
        return all;
    }

    private static int count(Map<String, LongAdder> counts, String name) {
        LongAdder a = counts.get(name);
        return a == null ? 0 : a.intValue();
    }

    private static Map<String, Long> tally(Map<String, Map<String, LongAdder>> answers, String name) {
        Map<String, Long> out = new TreeMap<>();
        answers.getOrDefault(name, Map.of()).forEach((status, n) -> out.put(status, n.sum()));
        return out;
    }

    /** About 1 MB: an item whose tickers are 520,000 numbers. */
    private static byte[] tickersBody() {
        StringBuilder b = new StringBuilder(1_100_000).append("{\"source\": \"soak\", \"published_at\": \"2015-01-02T00:00:00Z\", \"text\": \"x\", \"tickers\": [");
        for (int i = 0; i < 520_000; i++) {
            b.append(i == 0 ? "1" : ",1");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    }
}
