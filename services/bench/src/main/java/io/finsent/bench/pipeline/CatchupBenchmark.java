package io.finsent.bench.pipeline;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.common.Topics;
import io.finsent.encoder.Encoder;
import io.finsent.encoder.EncoderOptions;
import io.finsent.ingest.archive.ArchiveImport;
import io.finsent.ingest.archive.ImportReport;
import io.finsent.local.LocalStack;
import io.finsent.replay.RunDatabase;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.ScoredText;
import io.finsent.schema.TopicMatch;
import io.finsent.scoring.ScorerSettings;

/**
 * The live pipeline on a backlog that is already there, as after an import or an outage ({@code ./monitor bench catchup}).
 * The file goes to text.raw of a fresh embedded stack first; then the scorer and alerting apps start, as {@code ./monitor
 * up} starts them (the Quarkus jars with their shipped configuration, through a {@link Launcher}), and they are timed
 * until every text is scored and every window written, side by side with the encoder alone on the same texts.
 */
public final class CatchupBenchmark {

    /** Ids of the texts that close the last windows once the backlog is scored (one per partition; never counted). */
    public static final String CLOSER_PREFIX = "bench-catchup-close-";

    /** What the scorer and alerting logs say when a stream thread is fenced, migrates its tasks, or is replaced. */
    private static final Pattern FENCED = Pattern.compile(
            "fenced|TaskMigrated|InvalidProducerEpoch|ProducerFenced|Replacing thread|StreamsUncaughtExceptionHandler", Pattern.CASE_INSENSITIVE);
    /** What the scorer logs when a task starts with texts in its buffer: a batch scored again. */
    private static final Pattern RESUMED = Pattern.compile("resumed with \\d+ buffered texts");

    /** The scorer and alerting apps running on a fresh embedded stack; closing stops them and the stack. */
    public interface Services extends AutoCloseable {
        LocalStack stack();

        /** The scorer's HTTP address, for its metrics. */
        String scorerUrl();

        @Override
        void close();
    }

    /** What runs on the stack before the services start: here, the backlog published to text.raw. */
    @FunctionalInterface
    public interface BeforeServices {
        void run(LocalStack stack) throws Exception;
    }

    /** Starts the stack in {@code stackDir}, runs {@code before} on it, then the scorer (with {@code modelDir}) and alerting. */
    @FunctionalInterface
    public interface Launcher {
        Services start(Path stackDir, Path modelDir, BeforeServices before) throws Exception;
    }

    /** No texts to publish; the message names the file. */
    public static final class NoTexts extends RuntimeException {
        NoTexts(Path input) {
            super("no texts in " + input);
        }
    }

    private final Path data;
    private final Integer limit;
    private final Path modelDir;
    private final Duration timeout;
    private final boolean keep;
    private final Launcher launcher;

    /**
     * @param data     archive file (JSONL), or null for {@code limit} items of the synthetic demo stream (5000 if null)
     * @param limit    only the first N rows of {@code data} (all if null)
     * @param modelDir model of the scorer and of the encoder alone
     * @param timeout  give up after this long
     * @param keep     keep the temporary stack's directory (logs, data) afterwards
     */
    public CatchupBenchmark(Path data, Integer limit, Path modelDir, Duration timeout, boolean keep, Launcher launcher) {
        this.data = data;
        this.limit = limit;
        this.modelDir = modelDir;
        this.timeout = timeout;
        this.keep = keep;
        this.launcher = launcher;
    }

    /** Runs in a fresh temporary directory, reporting its phases on {@code err}. @throws NoTexts if the input has none */
    public Result run(PrintWriter err) throws Exception {
        Path dir = Files.createTempDirectory("finsent-bench-catchup-");
        try {
            Path input = input(dir);
            List<String> texts = PipelineBenchmark.readTexts(input, Integer.MAX_VALUE);
            if (texts.isEmpty()) {
                throw new NoTexts(input);
            }
            int maxBatch = ScorerSettings.defaults().maxBatchTexts();
            err.printf(Locale.ROOT, "bench catchup: the encoder alone on %d texts in batches of %d, %d calls at once as the scorer makes them"
                    + " (nothing else running)%n", texts.size(), maxBatch, ScorerSettings.defaults().encoderThreads());
            err.flush();
            double encoderAlone;
            try (Encoder encoder = Encoder.open(modelDir, EncoderOptions.defaults().withPaddingMultiple(1).withIntraOpThreads(1))) {
                encoderAlone = PipelineBenchmark.encoderAloneRate(encoder, texts, maxBatch, ScorerSettings.defaults().encoderThreads());
            }
            err.printf(Locale.ROOT, "bench catchup: encoder alone %.1f texts/s%n", encoderAlone);
            return new Run(input, dir, err).run(texts.size(), encoderAlone);
        } finally {
            if (keep) {
                err.println("bench catchup: kept " + dir);
            } else {
                LocalStack.deleteData(dir);
            }
        }
    }

    /** The rows to publish: the data file (its first {@code limit} rows), or demo items. */
    private Path input(Path dir) throws IOException {
        Path file = dir.resolve("backlog.jsonl");
        if (data == null) {
            DemoTexts.archive(limit == null ? 5000 : limit, file);
            return file;
        }
        if (limit == null) {
            return data;
        }
        try (Stream<String> lines = Files.lines(data); BufferedWriter w = Files.newBufferedWriter(file)) {
            for (String line : (Iterable<String>) lines.filter(l -> !l.isBlank()).limit(limit)::iterator) {
                w.write(line);
                w.newLine();
            }
        }
        return file;
    }

    /** @param texts the input's texts, as the encoder alone scored them */
    public record Result(int texts, double encoderAlonePerSecond, boolean complete, long imported, int topics, double catchupPerSecond,
                         long scoredOnce, long duplicates, long deadLetters, long late, long fenced, long tasksResumed, long sinkMaxLag,
                         long scorerMaxLag, long windows, long mentions, long countedMentions, double scoringSeconds, double seconds,
                         double encoderBusyShare, double meanBatchTexts, double maxStreamThreadWait, long textsStored, long textSinkMaxLag,
                         String failure) {

        public double ratioVsEncoder() {
            return catchupPerSecond / encoderAlonePerSecond;
        }
    }

    /** One run on a fresh stack: publish, start the services, watch until every text is scored and counted. */
    private final class Run {
        private final Path input;
        private final Path dir;
        private final PrintWriter err;
        private final Map<String, Integer> timesScored = new ConcurrentHashMap<>();
        private final Map<String, Long> seenAt = new ConcurrentHashMap<>();
        private final AtomicLong mentions = new AtomicLong();
        private final AtomicLong scorerDeadLetters = new AtomicLong();
        private final AtomicLong deadLetters = new AtomicLong();
        private final AtomicLong late = new AtomicLong();
        private long imported;
        private int topics;
        private Instant lastPublished;
        private TopicTail<ScoredText> scoredTail;
        private TopicTail<DeadLetter> deadTail;

        Run(Path input, Path dir, PrintWriter err) {
            this.input = input;
            this.dir = dir;
            this.err = err;
        }

        Result run(int texts, double encoderAlone) throws Exception {
            long[] servicesStarted = new long[1];
            Services services = launcher.start(dir.resolve("stack"), modelDir, stack -> {
                topics = TickerTopics.define(stack.bootstrapServers(), input);
                err.printf("bench catchup: publishing %s to text.raw (%d ticker topics defined)%n", input, topics);
                err.flush();
                ImportReport report = new ArchiveImport(ArchiveImport.Options.defaults(stack.bootstrapServers()), Clock.systemUTC())
                        .run(List.of(input), new ArchiveImport.Progress() { });
                imported = report.published();
                lastPublished = lastPublished(input);
                err.printf("bench catchup: %d texts in text.raw (%d invalid rows, %d duplicates); starting the scorer and alerting%n", imported,
                        report.invalid(), report.duplicates());
                err.flush();
                scoredTail = new TopicTail<>(stack.bootstrapServers(), Topics.SCORED_TEXT, this::scored);
                deadTail = new TopicTail<>(stack.bootstrapServers(), Topics.DEAD_LETTERS, this::deadLetter);
                servicesStarted[0] = System.nanoTime();
            });
            try (services; Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.stack().bootstrapServers()))) {
                return watch(services, admin, servicesStarted[0], texts, encoderAlone);
            } finally {
                if (scoredTail != null) {
                    scoredTail.close();
                }
                if (deadTail != null) {
                    deadTail.close();
                }
            }
        }

        private void scored(String key, ScoredText text, long at) {
            if (text.getId().startsWith(CLOSER_PREFIX)) {
                timesScored.merge(text.getId(), 1, Integer::sum);
                return;
            }
            if (timesScored.merge(text.getId(), 1, Integer::sum) == 1) {
                seenAt.put(text.getId(), at);
                mentions.addAndGet(text.getTopics().stream().map(TopicMatch::getTopic).distinct().count());
            }
        }

        private void deadLetter(String key, DeadLetter letter, long at) {
            deadLetters.incrementAndGet();
            if (letter.getStage().startsWith("scorer.")) {
                scorerDeadLetters.incrementAndGet();
            } else if (letter.getStage().equals("alerting.late")) {
                late.incrementAndGet();
            }
        }

        private Result watch(Services services, Admin admin, long started, int texts, double encoderAlone) throws Exception {
            LocalStack stack = services.stack();
            long deadline = started + timeout.toNanos();
            long lastReport = 0;
            long sinkMaxLag = 0;
            long textSinkMaxLag = 0;
            long textsStored = 0;
            long scorerMaxLag = 0;
            long scoredAllAt = 0;
            String failure = null;
            TrendWindowTable.Totals totals = new TrendWindowTable.Totals(0, 0, 0);
            String scorerUrl = services.scorerUrl();
            Map<String, Double> metricsAtStart = ScorerMetricsScrape.read(scorerUrl);
            long metricsStartedAt = System.nanoTime();
            Map<String, Double> metricsAtEnd = metricsAtStart;
            long metricsEndedAt = metricsStartedAt;
            while (true) {
                scoredTail.check();
                deadTail.check();
                long sinkLag = lag(admin, "finsent-alerting-sink", Topics.TOPIC_TRENDS.name());
                long scorerLag = lag(admin, "finsent-scorer", Topics.RAW_TEXT.name());
                sinkMaxLag = Math.max(sinkMaxLag, sinkLag);
                long textSinkLag = lag(admin, "finsent-alerting-texts", Topics.SCORED_TEXT.name());
                textSinkMaxLag = Math.max(textSinkMaxLag, textSinkLag);
                scorerMaxLag = Math.max(scorerMaxLag, scorerLag);
                long scored = seenAt.size();
                if (scoredAllAt == 0 && scored + scorerDeadLetters.get() >= imported) {
                    scoredAllAt = System.nanoTime();
                    metricsAtEnd = ScorerMetricsScrape.read(scorerUrl);
                    metricsEndedAt = System.nanoTime();
                    err.printf(Locale.ROOT, "bench catchup: all %d texts scored in %.1f s; closing the last windows with one text per partition, "
                            + "dated after the backlog%n", scored, (scoredAllAt - started) / 1e9);
                    WindowClosers.publish(stack.bootstrapServers(), CLOSER_PREFIX, lastPublished.plus(Duration.ofMinutes(5)));
                }
                List<TrendWindowTable.Totals> all = RunDatabase.trendTotals(stack.jdbcUrl(), stack.jdbcUser(), "live");
                totals = all.isEmpty() ? totals : all.get(0);
                boolean closersScored = timesScored.keySet().stream().filter(id -> id.startsWith(CLOSER_PREFIX)).count() > 0;
                textsStored = RunDatabase.storedTexts(stack.jdbcUrl(), stack.jdbcUser(), "live");
                if (scoredAllAt != 0 && closersScored && sinkLag == 0 && totals.texts() + late.get() >= mentions.get()
                        && textsStored >= timesScored.size()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    failure = "timed out after " + timeout + ": " + scored + " of " + imported + " texts scored, " + totals.texts() + " of "
                            + mentions.get() + " topic mentions in trend windows, " + textsStored + " scored texts stored";
                    break;
                }
                if (System.nanoTime() - lastReport > 5_000_000_000L) {
                    err.printf(Locale.ROOT, "  ... %.0f s: %d/%d scored, scorer lag %d, %d windows (%d of %d mentions), sink lag %d, %d texts stored%n",
                            (System.nanoTime() - started) / 1e9, scored, imported, scorerLag, totals.windows(), totals.texts(), mentions.get(), sinkLag,
                            textsStored);
                    err.flush();
                    lastReport = System.nanoTime();
                }
                Thread.sleep(500);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long[] seen = seenAt.values().stream().mapToLong(Long::longValue).toArray();
            double rate = seen.length < 2 ? 0 : PipelineBenchmark.steadyRate(seen);
            long duplicates = timesScored.entrySet().stream().filter(e -> !e.getKey().startsWith(CLOSER_PREFIX)).filter(e -> e.getValue() > 1).count();
            Path logs = dir.resolve("stack").resolve("logs");
            long fenced = countLines(logs, FENCED);
            long resumed = countLines(logs, RESUMED);
            long scoredOnce = timesScored.entrySet().stream().filter(e -> !e.getKey().startsWith(CLOSER_PREFIX)).filter(e -> e.getValue() == 1).count();
            boolean complete = failure == null && duplicates == 0;
            double busy = ScorerMetricsScrape.delta(metricsAtStart, metricsAtEnd, "finsent_scorer_encoder_latency_seconds_sum")
                    / Math.max(1e-9, (metricsEndedAt - metricsStartedAt) / 1e9);
            double meanBatch = ScorerMetricsScrape.delta(metricsAtStart, metricsAtEnd, "finsent_scorer_batch_texts_sum")
                    / Math.max(1, ScorerMetricsScrape.delta(metricsAtStart, metricsAtEnd, "finsent_scorer_batch_texts_count"));
            return new Result(texts, encoderAlone, complete, imported, topics, rate, scoredOnce, duplicates, deadLetters.get(), late.get(),
                    fenced + resumed, resumed, sinkMaxLag, scorerMaxLag, totals.windows(), mentions.get(), totals.texts(),
                    scoredAllAt == 0 ? Double.NaN : (scoredAllAt - started) / 1e9, seconds, busy, meanBatch,
                    metricsAtEnd.getOrDefault("finsent_scorer_stream_thread_wait_seconds_max", Double.NaN), textsStored, textSinkMaxLag, failure);
        }
    }

    /** Records of {@code topic} that the group has not committed yet (all of them before its first commit). */
    private static long lag(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        long lag = 0;
        for (var end : admin.listOffsets(latest).all().get().entrySet()) {
            OffsetAndMetadata at = committed.get(end.getKey());
            lag += Math.max(0, end.getValue().offset() - (at == null ? 0 : at.offset()));
        }
        return lag;
    }

    /** Log lines (not stack-trace lines) of the services' logs that match. */
    private static long countLines(Path logs, Pattern pattern) throws IOException {
        long count = 0;
        if (!Files.isDirectory(logs)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(logs)) {
            for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                for (String line : Files.readAllLines(log)) {
                    if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && !line.startsWith("Caused by") && pattern.matcher(line).find()) {
                        count++;
                    }
                }
            }
        }
        return count;
    }

    private static Instant lastPublished(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        Instant last = Instant.EPOCH;
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                JsonNode at = mapper.readTree(line).get("published_at");
                if (at != null) {
                    Instant t = Instant.parse(at.asText());
                    last = t.isAfter(last) ? t : last;
                }
            }
        }
        return last;
    }
}
