package io.finsent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.bench.pipeline.TopicTail;
import io.finsent.bench.pipeline.WindowClosers;
import io.finsent.common.ApiKeyHash;
import io.finsent.common.Topics;
import io.finsent.ingest.DeadLetters;
import io.finsent.ingest.archive.ArchiveImport;
import io.finsent.ingest.demo.DemoStream;
import io.finsent.local.LocalStack;
import io.finsent.local.PostgresOutage;
import io.finsent.replay.Replay;
import io.finsent.replay.ReplayOptions;
import io.finsent.replay.RunComparison;
import io.finsent.replay.RunDatabase;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.ScoredText;
import io.finsent.schema.TopicMatch;

/**
 * The whole system under combined faults, as one user's deployment would meet them: the three services run as child
 * processes on a real broker and PostgreSQL while 20,000 texts come in, half through the push API and half through an
 * archive import. Meanwhile the scorer, alerting and ingest are each killed with SIGKILL five times at random moments
 * (and started again by a supervisor, as an orchestrator would), the broker is restarted twice (once killed, once
 * stopped) and PostgreSQL is stopped for 60 s. Afterwards every accepted text is in text.scored exactly once, the trend
 * rows and alert events equal those of a clean replay of the same input, and only the bad inputs are dead letters.
 */
class WholeSystemFaultIntegrationTest {

    private static final Logger LOG = Logger.getLogger(WholeSystemFaultIntegrationTest.class);
    private static final int TEXTS = 20_000;
    /** Texts a second into the system, over both ways in. */
    private static final double WALL_RATE = 100;
    private static final int PUSH_BATCH = 20;
    private static final int KILLS_EACH = 5;
    private static final Duration POSTGRES_OUTAGE = Duration.ofSeconds(60);
    private static final String PUSH_KEY = "fsi_fault_test_push_key";
    /**
     * The live grace (event time): texts come in ten event-seconds per wall second, and while ingest is down the pushed
     * half falls behind the imported half by up to a minute or two of event time, which must not make them late.
     */
    private static final Duration GRACE = Duration.ofMinutes(10);
    private static final Instant T0 = Instant.parse("2015-06-01T09:00:00Z");
    private static final String REPLAY_RUN = "fault-replay";

    @TempDir
    Path dir;

    private final Random random = new Random(2026);
    private final ObjectMapper json = new ObjectMapper();
    private final Set<String> pushedIds = ConcurrentHashMap.newKeySet();
    private final AtomicLong refusedPushes = new AtomicLong();
    private final AtomicLong pushRetries = new AtomicLong();
    private final Set<String> badRawKeys = new HashSet<>();
    private final Set<String> badArchiveKeys = new HashSet<>();
    private final Map<String, Integer> timesScored = new ConcurrentHashMap<>();
    private final Map<String, Integer> mentionsOf = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> deadLettersByStage = new ConcurrentHashMap<>();
    private final AtomicLong deadLetterRecords = new AtomicLong();
    private final Map<String, Integer> faults = Collections.synchronizedMap(new LinkedHashMap<>());
    /** What went wrong on the test's own threads (the pusher, the importer, ...), checked while it waits. */
    private static final List<Throwable> FAILURES = Collections.synchronizedList(new ArrayList<>());

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void everyAcceptedTextIsScoredOnceAndTheTrendsAndAlertsEqualACleanReplayAfterKillsRestartsAndAnOutage() throws Exception {
        // Given the demo stream's items (a negative surge every 15 event-minutes), half to push, half in an archive with bad rows
        List<DemoStream.DemoItem> items = demoItems();
        Instant last = items.get(items.size() - 1).item().publishedAt();
        Instant end = last.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        Path archive = archive(items);
        PrintWriter progress = new PrintWriter(System.err, true);
        EmbeddedPipeline pipeline = EmbeddedPipeline.start(new EmbeddedPipeline.Options(dir.resolve("stack"), 0, 0, 0, 0, 0, null, null,
                Map.of("grace", GRACE.toMinutes() + "m"), Map.of("clients.fault.key-sha256", ApiKeyHash.hex(PUSH_KEY), "clients.fault.roles", "push")),
                progress, stack -> DemoTopics.publish(stack.bootstrapServers()));
        LocalStack stack = pipeline.stack();
        AtomicBoolean supervising = new AtomicBoolean(true);
        try (pipeline;
             TopicTail<ScoredText> scored = new TopicTail<>(stack.bootstrapServers(), Topics.SCORED_TEXT, (key, text, at) -> {
                 if (timesScored.merge(text.getId(), 1, Integer::sum) == 1) {
                     mentionsOf.put(text.getId(), (int) text.getTopics().stream().map(TopicMatch::getTopic).distinct().count());
                 }
             });
             TopicTail<DeadLetter> dead = new TopicTail<>(stack.bootstrapServers(), Topics.DEAD_LETTERS, (key, letter, at) -> {
                 deadLetterRecords.incrementAndGet();
                 deadLettersByStage.computeIfAbsent(letter.getStage(), s -> ConcurrentHashMap.newKeySet()).add(key);
             })) {
            Thread supervisor = daemon("fault-supervisor", () -> supervise(pipeline, supervising));
            // When the texts come in through both ways while the faults happen
            long started = System.nanoTime();
            Thread pusher = daemon("fault-pusher", () -> push(pipeline.service("ingest").url(), items, started));
            Thread importer = daemon("fault-importer", () -> importArchive(stack, archive));
            Thread rogue = daemon("fault-rogue-producer", () -> produceBadRecords(stack, started));
            injectFaults(pipeline, started);
            pusher.join();
            importer.join();
            rogue.join();
            assertThat(FAILURES).as("failures of the input threads").isEmpty();
            LOG.infof("input done after %.0f s: %d pushed ids, %d refused pushes, %d push retries; faults %s", seconds(started), pushedIds.size(),
                    refusedPushes.get(), pushRetries.get(), faults);

            // every accepted text scored, then the last windows closed
            Set<String> accepted = acceptedIds(stack);
            awaitTrue("every accepted text scored", Duration.ofMinutes(15), () -> timesScored.keySet().containsAll(accepted));
            WindowClosers.publish(stack.bootstrapServers(), "fault-close-", end.plus(GRACE).plus(Duration.ofMinutes(5)));
            long mentions = accepted.stream().mapToLong(id -> mentionsOf.getOrDefault(id, 0)).sum();
            awaitTrue("every mention counted in the live trend windows", Duration.ofMinutes(10), () -> liveCounted(stack) >= mentions);
            supervising.set(false);
            supervisor.join();

            // Then: exactly once, only the bad inputs dead-lettered
            Thread.sleep(3000); // a last look for anything that would come twice
            Map<String, Integer> inRange = new LinkedHashMap<>();
            timesScored.forEach((id, times) -> {
                if (!id.startsWith("fault-close-")) {
                    inRange.put(id, times);
                }
            });
            assertThat(inRange.keySet()).as("scored ids are the accepted ids").isEqualTo(accepted);
            assertThat(inRange.entrySet().stream().filter(e -> e.getValue() != 1).toList()).as("ids scored more than once").isEmpty();
            assertThat(accepted).as("accepted texts: every pushed id and every valid archive row").hasSize(TEXTS).containsAll(pushedIds);
            assertThat(deadLettersByStage.keySet()).as("dead-letter stages").containsExactlyInAnyOrder(DeadLetters.STAGE_ARCHIVE, "scorer.deserialize");
            assertThat(deadLettersByStage.get(DeadLetters.STAGE_ARCHIVE)).as("archive dead letters: the bad rows").isEqualTo(badArchiveKeys);
            assertThat(deadLettersByStage.get("scorer.deserialize")).as("scorer dead letters: the bad records").isEqualTo(badRawKeys);
            assertThat(liveCounted(stack)).as("mentions in live trend windows").isEqualTo(mentions);

            // and a clean replay of the same input gives the same scored texts, trend rows and alert events
            Replay.run(ReplayOptions.of(REPLAY_RUN, T0, end, stack.bootstrapServers(), Models.defaultModel(), dir.resolve("replay-state"))
                    .withDatabase(stack.jdbcUrl(), stack.jdbcUser(), Duration.ofMinutes(3)));
            RunComparison.Comparison comparison = RunComparison.compare(stack.jdbcUrl(), stack.jdbcUser(), stack.bootstrapServers(), "live",
                    REPLAY_RUN, T0, end);
            LOG.infof("whole-system faults: %d texts accepted (%d pushed, %d imported), %d scored once; %d refused pushes, %d push retries; "
                            + "dead letters %d records (%d archive rows, %d raw records); faults %s; live vs replay: %d/%d scored, %d/%d trend rows, "
                            + "%d/%d alert events, late %d/%d", accepted.size(), pushedIds.size(), accepted.size() - pushedIds.size(), inRange.size(),
                    refusedPushes.get(), pushRetries.get(), deadLetterRecords.get(), badArchiveKeys.size(), badRawKeys.size(), faults,
                    comparison.scoredA(), comparison.scoredB(), comparison.trendRowsA(), comparison.trendRowsB(), comparison.alertsA(),
                    comparison.alertsB(), comparison.lateA(), comparison.lateB());
            assertThat(comparison.lateA()).as("late texts in live").isZero();
            assertThat(comparison.alertsA()).as("alert events in live (the surges fire)").isPositive();
            assertThat(comparison.identical()).as("live equals a clean replay: %s", comparison.differences()).isTrue();
            assertThat(faults).containsEntry("kill scorer", KILLS_EACH).containsEntry("kill alerting", KILLS_EACH).containsEntry("kill ingest", KILLS_EACH)
                    .containsEntry("broker restart", 2).containsEntry("postgres outage", 1);
        } finally {
            supervising.set(false);
        }
    }

    /** TEXTS demo items, 600 an event-minute (30 per ticker, enough volume for the rules), in event-time order. */
    private static List<DemoStream.DemoItem> demoItems() {
        DemoStream stream = new DemoStream(7, T0, new DemoStream.Script("BA", Duration.ofMinutes(15), Duration.ofMinutes(5), Duration.ofMinutes(3),
                600, 1.0));
        List<DemoStream.DemoItem> items = new ArrayList<>(TEXTS);
        for (int i = 0; i < TEXTS; i++) {
            items.add(stream.next());
        }
        return items;
    }

    /** The odd items as an archive file, with a bad row after every 500 (not JSON, no publication time, no text). */
    private Path archive(List<DemoStream.DemoItem> items) throws IOException {
        Path file = dir.resolve("archive.jsonl");
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            for (int i = 1; i < items.size(); i += 2) {
                var item = items.get(i).item();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", "archive-" + i);
                row.put("published_at", item.publishedAt().toString());
                row.put("source", "fault-archive");
                row.put("tickers", item.tickers());
                row.put("headline", item.title());
                row.put("body", item.body());
                out.write(json.writeValueAsString(row));
                out.newLine();
                if (i % 1000 == 1) {
                    int n = i / 1000;
                    String[] bad = {"{not json " + n, "{\"id\": \"archive-bad-" + n + "\", \"source\": \"x\", \"headline\": \"no time " + n + "\"}",
                            "{\"id\": \"archive-empty-" + n + "\", \"source\": \"x\", \"published_at\": \"" + item.publishedAt() + "\"}"};
                    for (String line : bad) {
                        out.write(line);
                        out.newLine();
                        badArchiveKeys.add(DeadLetters.keyOf(DeadLetters.STAGE_ARCHIVE, line.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    }
                }
            }
        }
        return file;
    }

    /** The even items through POST /v1/items in batches, paced to half the wall rate; a failed batch is sent again until accepted. */
    private void push(String ingestUrl, List<DemoStream.DemoItem> items, long started) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI uri = URI.create(ingestUrl + "/v1/items");
        int batches = 0;
        for (int from = 0; from < items.size(); from += 2 * PUSH_BATCH) {
            pace(started, from);
            List<Map<String, Object>> batch = new ArrayList<>();
            for (int i = from; i < Math.min(items.size(), from + 2 * PUSH_BATCH); i += 2) {
                var item = items.get(i).item();
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("id", "push-" + i);
                body.put("source", "fault-push");
                body.put("published_at", item.publishedAt().toString());
                body.put("title", item.title());
                body.put("body", item.body());
                body.put("tickers", item.tickers());
                batch.add(body);
            }
            JsonNode answer = sendUntilAnswered(http, uri, batch, 202);
            answer.get("ids").forEach(id -> pushedIds.add(id.asText()));
            if (++batches % 50 == 0) {
                // A bad batch (no publication time): refused with the reason, never published, never retried.
                Map<String, Object> bad = new LinkedHashMap<>(batch.get(0));
                bad.put("id", "push-bad-" + batches);
                bad.remove("published_at");
                JsonNode refusal = sendUntilAnswered(http, uri, List.of(bad), 400);
                assertThat(refusal.toString()).contains("published_at");
                refusedPushes.incrementAndGet();
            }
        }
    }

    /** Sends until the service answers {@code expected}; connection failures, 429 and 5xx (a restarting service, a broker away) are retried. */
    private JsonNode sendUntilAnswered(HttpClient http, URI uri, Object body, int expected) {
        while (true) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                        .header("X-API-Key", PUSH_KEY).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == expected) {
                    return json.readTree(response.body());
                }
                if (response.statusCode() != 429 && response.statusCode() < 500) {
                    throw new AssertionError("push answered " + response.statusCode() + ": " + response.body());
                }
            } catch (IOException e) {
                // ingest is down or restarting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            pushRetries.incrementAndGet();
            sleep(500);
        }
    }

    /** The archive through the import at half the wall rate; an import stopped by a broker restart is run again and resumes. */
    private void importArchive(LocalStack stack, Path archive) {
        while (true) {
            try {
                new ArchiveImport(ArchiveImport.Options.defaults(stack.bootstrapServers()).withRate(WALL_RATE / 2).withBrokerWait(Duration.ofMinutes(2)),
                        Clock.systemUTC()).run(List.of(archive), new ArchiveImport.Progress() { });
                return;
            } catch (RuntimeException e) {
                LOG.infof("import interrupted (%s); running it again, it resumes", e.toString());
                sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Bad records straight into text.raw, as a misconfigured producer would write them, through the input period. */
    private void produceBadRecords(LocalStack stack, long started) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (int n = 0; n < 20; n++) {
                pace(started, n * (TEXTS / 20));
                String key = "fault-raw-bad-" + n;
                synchronized (badRawKeys) {
                    badRawKeys.add(key);
                }
                producer.send(new ProducerRecord<>(Topics.RAW_TEXT.name(), null, T0.plusSeconds(n * 100L).toEpochMilli(), key,
                        ("not avro " + n).getBytes())).get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("the bad records could not be written", e);
        }
    }

    /** Every few seconds one kill or broker restart, in a random order; PostgreSQL away for 60 s in the middle. */
    private void injectFaults(EmbeddedPipeline pipeline, long started) throws Exception {
        List<String> plan = new ArrayList<>();
        for (int i = 0; i < KILLS_EACH; i++) {
            plan.addAll(List.of("scorer", "alerting", "ingest"));
        }
        plan.addAll(List.of("broker-kill", "broker-stop"));
        Collections.shuffle(plan, random);
        double inputSeconds = TEXTS / WALL_RATE;
        long every = (long) (inputSeconds * 1000 / (plan.size() + 1));
        Thread outage = daemon("fault-postgres-outage", () -> {
            sleep((long) (inputSeconds * 1000 / 4));
            PostgresOutage stopped = pipeline.stack().postgres().stopForOutage();
            faults.merge("postgres outage", 1, Integer::sum);
            LOG.infof("fault: PostgreSQL stopped for %d s", POSTGRES_OUTAGE.toSeconds());
            sleep(POSTGRES_OUTAGE.toMillis());
            stopped.end(pipeline.stack().jdbcUrl(), pipeline.stack().jdbcUser(), dir.resolve("postgres-restarted.log"), Duration.ofMinutes(1));
            LOG.info("fault: PostgreSQL is back");
        });
        for (String fault : plan) {
            sleep(every / 2 + random.nextInt((int) every));
            switch (fault) {
                case "broker-kill", "broker-stop" -> {
                    LOG.infof("fault at %.0f s: %s", seconds(started), fault);
                    if (fault.equals("broker-kill")) {
                        pipeline.stack().kafka().kill();
                    } else {
                        pipeline.stack().kafka().close();
                    }
                    sleep(2000);
                    pipeline.stack().kafka().restart();
                    faults.merge("broker restart", 1, Integer::sum);
                }
                default -> {
                    ServiceProcess service = pipeline.service(fault);
                    LOG.infof("fault at %.0f s: SIGKILL %s (pid %d)", seconds(started), fault, service.pid());
                    synchronized (service) {
                        service.kill();
                    }
                    faults.merge("kill " + fault, 1, Integer::sum);
                }
            }
        }
        outage.join();
    }

    /** Starts any service that is not running again after a second, as an orchestrator would. */
    private static void supervise(EmbeddedPipeline pipeline, AtomicBoolean running) {
        while (running.get()) {
            for (ServiceProcess service : pipeline.services()) {
                synchronized (service) {
                    if (!service.alive()) {
                        try {
                            LOG.infof("supervisor: starting %s again", service.name());
                            service.restart();
                        } catch (IOException e) {
                            LOG.warnf("supervisor: cannot start %s: %s", service.name(), e.getMessage());
                        }
                    }
                }
            }
            sleep(1000);
        }
    }

    /** Distinct ids of the valid texts in text.raw (the bad records and the window closers left out), read as keys and bytes. */
    private Set<String> acceptedIds(LocalStack stack) throws InterruptedException {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        AtomicLong records = new AtomicLong();
        Map<String, Object> config = Map.of("bootstrap.servers", stack.bootstrapServers(), "isolation.level", "read_committed",
                "enable.auto.commit", false);
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(config, new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(Topics.RAW_TEXT.name()).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> endOffsets = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < endOffsets.get(p))) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    records.incrementAndGet();
                    if (record.key() != null && !badRawKeys.contains(record.key()) && !record.key().startsWith("fault-close-")) {
                        ids.add(record.key());
                    }
                }
            }
        }
        LOG.infof("text.raw: %d records, %d distinct valid ids", records.get(), ids.size());
        assertThat(records.get()).as("records in text.raw: the valid texts once each, and the bad records").isEqualTo(ids.size() + badRawKeys.size());
        return ids;
    }

    private static long liveCounted(LocalStack stack) {
        List<TrendWindowTable.Totals> totals = RunDatabase.trendTotals(stack.jdbcUrl(), stack.jdbcUser(), "live");
        return totals.isEmpty() ? 0 : totals.get(0).texts();
    }

    /** Waits until the input is due at the wall rate for item {@code index}. */
    private static void pace(long started, int index) {
        long due = started + (long) (index / WALL_RATE * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            sleep(wait / 1_000_000);
        }
    }

    private static void awaitTrue(String what, Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastLog = System.nanoTime();
        while (!condition.getAsBoolean()) {
            assertThat(FAILURES).as("failures of the test's threads").isEmpty();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            if (System.nanoTime() - lastLog > 15_000_000_000L) {
                LOG.infof("waiting for %s", what);
                lastLog = System.nanoTime();
            }
            Thread.sleep(500);
        }
    }

    private static Thread daemon(String name, ThrowingRunnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Exception | AssertionError e) {
                LOG.errorf(e, "%s failed", name);
                FAILURES.add(e);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double seconds(long started) {
        return (System.nanoTime() - started) / 1e9;
    }
}
