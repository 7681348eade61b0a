package io.finsent.bench.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import io.finsent.common.Topics;
import io.finsent.encoder.Encoder;
import io.finsent.local.LocalStack;
import io.finsent.local.LocalStackConfig;
import io.finsent.schema.RawText;
import io.finsent.schema.ScoredText;
import io.finsent.schema.SourceKind;
import io.finsent.schema.TopicDefinition;
import io.finsent.scoring.EncoderTextScorer;
import io.finsent.scoring.ScorerMetrics;
import io.finsent.scoring.ScorerRoute;
import io.finsent.scoring.ScorerSettings;
import io.finsent.scoring.ScorerTopology;
import io.finsent.scoring.TopicMatcher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The whole scoring path on the embedded broker with exactly-once, measured side by side with the
 * encoder alone on the same texts and with one model call per text:
 * <ol>
 * <li>throughput: all texts are in text.raw before the topology starts; scored/s is the texts a read_committed
 * reader sees after its first poll over the time from that poll to the last text ({@link #steadyRate});</li>
 * <li>latency: texts produced at half that rate; ingest-to-scored latency per text (produce time to the
 * moment a read_committed consumer sees it);</li>
 * <li>encoder alone: the same texts through {@link Encoder#encodeAll} in batches, once before the pipeline runs and
 * once after, and the mean of the two is the reference: on a shared machine the load drifts, and a reference taken on
 * one side only would move the ratio with it;</li>
 * <li>per record: one model call per text on a sample, as many at once as the scorer's encoder threads.</li>
 * </ol>
 */
public final class PipelineBenchmark {

    public record Result(int texts, double scoredPerSecond, double encoderAloneBefore, double encoderAloneAfter, double perRecordPerSecond,
                         double realTokenShare, double p50Millis, double p99Millis, int latencyTexts, int perRecordTexts,
                         String device, String model) {

        /** The encoder alone on the same texts: the mean of the runs before and after the pipeline's. */
        public double encoderAlonePerSecond() {
            return (encoderAloneBefore + encoderAloneAfter) / 2;
        }

        public double ratioVsEncoder() {
            return scoredPerSecond / encoderAlonePerSecond();
        }

        public double speedupVsPerRecord() {
            return scoredPerSecond / perRecordPerSecond;
        }
    }

    private final Encoder encoder;
    private final ScorerSettings settings;
    private final Duration commitInterval;
    private final boolean modelCallOnStreamThread;
    private final Consumer<String> progress;

    public PipelineBenchmark(Encoder encoder, ScorerSettings settings, Duration commitInterval, boolean modelCallOnStreamThread,
                             Consumer<String> progress) {
        this.encoder = encoder;
        this.modelCallOnStreamThread = modelCallOnStreamThread;
        this.commitInterval = commitInterval;
        this.settings = settings;
        this.progress = progress;
    }

    public Result run(List<String> texts, int latencyTexts, int perRecordTexts) throws Exception {
        Path dir = Files.createTempDirectory("finsent-bench-");
        progress.accept("starting the embedded broker and database");
        try (LocalStack stack = LocalStack.start(LocalStackConfig.ephemeral(dir.resolve("stack")))) {
            progress.accept("encoder alone on " + texts.size() + " texts");
            int lanes = modelCallOnStreamThread ? 1 : settings.encoderThreads();
            double encoderAloneBefore = encoderAloneRate(encoder, texts, settings.maxBatchTexts(), lanes);

            progress.accept("one model call per text on " + Math.min(perRecordTexts, texts.size()) + " texts, " + lanes + " at once");
            List<String> sample = texts.subList(0, Math.min(perRecordTexts, texts.size()));
            double perRecord = encoderAloneRate(encoder, sample, 1, lanes);

            ScorerMetrics metrics = new ScorerMetrics(new SimpleMeterRegistry());
            Map<String, Long> producedAt = new ConcurrentHashMap<>();
            Map<String, Long> scoredAt = new ConcurrentHashMap<>();
            String runId = UUID.randomUUID().toString().substring(0, 8);

            progress.accept("pipeline throughput: producing " + texts.size() + " texts, then scoring them with exactly_once_v2");
            produce(stack, runId + "-t-", texts, producedAt, 0);
            double scoredPerSecond;
            double encoderAloneAfter;
            try (ScoredReader reader = new ScoredReader(stack, scoredAt);
                 KafkaStreams streams = new KafkaStreams(topology(metrics),
                    streamsConfig(stack, runId, dir, commitInterval))) {
                streams.start();
                reader.await(runId + "-t-", texts.size());
                scoredPerSecond = steadyRate(scoredAt.entrySet().stream().filter(e -> e.getKey().startsWith(runId + "-t-"))
                        .mapToLong(Map.Entry::getValue).toArray());
                progress.accept("encoder alone on " + texts.size() + " texts, again");
                encoderAloneAfter = encoderAloneRate(encoder, texts, settings.maxBatchTexts(), lanes);

                int n = Math.min(latencyTexts, texts.size());
                double rate = Math.max(1, scoredPerSecond / 2);
                progress.accept(String.format(java.util.Locale.ROOT, "pipeline latency: %d texts at %.0f/s", n, rate));
                Thread feeder = new Thread(() -> produce(stack, runId + "-l-", texts.subList(0, n), producedAt, rate));
                feeder.start();
                reader.await(runId + "-l-", n);
                feeder.join();
                streams.close(Duration.ofSeconds(30));
            }
            double[] latencies = producedAt.entrySet().stream().filter(e -> e.getKey().startsWith(runId + "-l-"))
                    .mapToDouble(e -> (scoredAt.get(e.getKey()) - e.getValue()) / 1e6).sorted().toArray();
            return new Result(texts.size(), scoredPerSecond, encoderAloneBefore, encoderAloneAfter, perRecord, metrics.realTokenShare(),
                    percentile(latencies, 0.50), percentile(latencies, 0.99), latencies.length, sample.size(),
                    encoder.device().name().toLowerCase(java.util.Locale.ROOT), encoder.config().name() + " " + encoder.config().version());
        }
    }

    /**
     * {@code scored_per_s_by_topics}: the pipeline's throughput with watchlists of each size ({@link TickerTopics#watchlist}),
     * one after the other on one broker, and the topic tagging alone ({@link TopicMatcher}) per text against the encoder's
     * time per text.
     *
     * @param scoredPerSecond     per watchlist size, texts a second through the whole topology
     * @param taggingMicros       per watchlist size, microseconds to tag one text (median of three passes over the texts)
     * @param encoderMillisPerText the encoder alone, milliseconds a text (the mean of before and after)
     */
    public record TopicsResult(int texts, Map<Integer, Double> scoredPerSecond, Map<Integer, Double> taggingMicros, double encoderAlonePerSecond,
                               double encoderMillisPerText, String device, String model) {

        /** Throughput with the largest watchlist against the smallest. */
        public double topicsRatio() {
            List<Integer> sizes = new ArrayList<>(scoredPerSecond.keySet());
            return scoredPerSecond.get(sizes.get(sizes.size() - 1)) / scoredPerSecond.get(sizes.get(0));
        }

        /** Per watchlist size, tagging's time as a share of the encoder's per text. */
        public Map<Integer, Double> taggingShare() {
            Map<Integer, Double> share = new java.util.TreeMap<>();
            taggingMicros.forEach((n, us) -> share.put(n, us / 1000 / encoderMillisPerText));
            return share;
        }
    }

    /**
     * The throughput phase once per watchlist size, smallest first: the watchlist grown to that size on topic.config, the
     * texts produced again with their own event times, and a topology of its own that takes only those (a replay's
     * range on text.raw), so each size scores the same texts from a cold start.
     */
    public TopicsResult runByTopics(List<String> texts, List<Integer> sizes) throws Exception {
        List<Integer> sorted = sizes.stream().distinct().sorted().toList();
        Path dir = Files.createTempDirectory("finsent-bench-");
        progress.accept("starting the embedded broker and database");
        try (LocalStack stack = LocalStack.start(LocalStackConfig.ephemeral(dir.resolve("stack")))) {
            int lanes = modelCallOnStreamThread ? 1 : settings.encoderThreads();
            progress.accept("encoder alone on " + texts.size() + " texts");
            double before = encoderAloneRate(encoder, texts, settings.maxBatchTexts(), lanes);
            List<TopicDefinition> watchlist = TickerTopics.watchlist(sorted.get(sorted.size() - 1));
            Map<Integer, Double> scored = new java.util.LinkedHashMap<>();
            Map<Integer, Double> tagging = new java.util.LinkedHashMap<>();
            Map<String, Long> producedAt = new ConcurrentHashMap<>();
            Map<String, Long> scoredAt = new ConcurrentHashMap<>();
            String runId = UUID.randomUUID().toString().substring(0, 8);
            int published = 0;
            try (ScoredReader reader = new ScoredReader(stack, scoredAt)) {
                for (int k = 0; k < sorted.size(); k++) {
                    int n = sorted.get(k);
                    TickerTopics.publish(stack.bootstrapServers(), watchlist.subList(published, n));
                    published = n;
                    tagging.put(n, taggingMicros(watchlist.subList(0, n), texts));
                    Instant from = PRODUCE_BASE.plus(Duration.ofDays(30L * k));
                    String prefix = runId + "-n" + n + "-";
                    progress.accept("pipeline throughput with " + n + " topics: " + texts.size() + " texts");
                    produce(stack, prefix, texts, producedAt, 0, from);
                    ScorerRoute route = new ScorerRoute(Topics.RAW_TEXT.name(), Topics.SCORED_TEXT.name(), Topics.DEAD_LETTERS.name(), from,
                            from.plus(Duration.ofDays(30)));
                    try (KafkaStreams streams = new KafkaStreams(topology(new ScorerMetrics(new SimpleMeterRegistry()), route),
                            streamsConfig(stack, runId + "-n" + n, dir, commitInterval))) {
                        streams.start();
                        reader.await(prefix, texts.size());
                        streams.close(Duration.ofSeconds(30));
                    }
                    scored.put(n, steadyRate(scoredAt.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                            .mapToLong(Map.Entry::getValue).toArray()));
                }
            }
            progress.accept("encoder alone on " + texts.size() + " texts, again");
            double after = encoderAloneRate(encoder, texts, settings.maxBatchTexts(), lanes);
            double alone = (before + after) / 2;
            // the encoder's time per text on one lane, as tagging runs on one thread
            return new TopicsResult(texts.size(), scored, tagging, alone, 1000.0 * lanes / alone,
                    encoder.device().name().toLowerCase(java.util.Locale.ROOT), encoder.config().name() + " " + encoder.config().version());
        }
    }

    /** Microseconds to tag one text with these topics: the median of three passes over the texts, after a warm-up. */
    static double taggingMicros(List<TopicDefinition> topics, List<String> texts) {
        Map<String, TopicDefinition> byId = new java.util.HashMap<>();
        topics.forEach(t -> byId.put(t.getId(), t));
        TopicMatcher matcher = TopicMatcher.of(byId);
        List<RawText> raws = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            raws.add(RawText.newBuilder().setId("tag-" + i).setSourceKind(SourceKind.ARCHIVE).setSource("bench").setPublishedAt(PRODUCE_BASE)
                    .setIngestedAt(PRODUCE_BASE).setBody(texts.get(i)).build());
        }
        long matched = 0;
        double[] passes = new double[3];
        for (int pass = -1; pass < passes.length; pass++) {
            long t0 = System.nanoTime();
            for (RawText raw : raws) {
                matched += matcher.match(raw, null, Map.of()).size();
            }
            if (pass >= 0) {
                passes[pass] = (System.nanoTime() - t0) / 1e3 / raws.size();
            }
        }
        Arrays.sort(passes);
        return matched < 0 ? Double.NaN : passes[1];
    }

    private org.apache.kafka.streams.Topology topology(ScorerMetrics metrics) {
        return topology(metrics, ScorerRoute.live());
    }

    private org.apache.kafka.streams.Topology topology(ScorerMetrics metrics, ScorerRoute route) {
        EncoderTextScorer scorer = new EncoderTextScorer(encoder);
        return modelCallOnStreamThread
                ? ScorerTopology.build(settings, route, scorer, metrics, Runnable::run)
                : ScorerTopology.build(settings, route, scorer, metrics);
    }

    private static Properties streamsConfig(LocalStack stack, String runId, Path dir, Duration commitInterval) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-pipeline-" + runId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, (int) commitInterval.toMillis());
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("streams").toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        return props;
    }

    /** Event time of the first text produced (one a second after it). */
    private static final Instant PRODUCE_BASE = Instant.parse("2015-01-01T00:00:00Z");

    private static void produce(LocalStack stack, String prefix, List<String> texts, Map<String, Long> producedAt, double ratePerSecond) {
        produce(stack, prefix, texts, producedAt, ratePerSecond, PRODUCE_BASE);
    }

    private static void produce(LocalStack stack, String prefix, List<String> texts, Map<String, Long> producedAt, double ratePerSecond,
                                Instant base) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 5);
        long start = System.nanoTime();
        try (var producer = new KafkaProducer<>(config, Topics.RAW_TEXT.keySerde().serializer(), Topics.RAW_TEXT.valueSerde().serializer())) {
            for (int i = 0; i < texts.size(); i++) {
                if (ratePerSecond > 0) {
                    long due = start + (long) (i * 1e9 / ratePerSecond);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                String id = prefix + i;
                long now = System.nanoTime();
                RawText raw = RawText.newBuilder().setId(id).setSourceKind(SourceKind.ARCHIVE).setSource("bench")
                        .setPublishedAt(base.plusSeconds(i)).setIngestedAt(base.plusSeconds(i)).setBody(texts.get(i)).build();
                producedAt.put(id, now);
                // the record's timestamp is the publication time, as ingest writes it (a replay's range is selected by it)
                producer.send(new ProducerRecord<>(Topics.RAW_TEXT.name(), null, raw.getPublishedAt().toEpochMilli(), id, raw));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Texts of one poll of the reader: a transaction's records become visible together. */
    private static final long SAME_POLL_NANOS = Duration.ofMillis(50).toNanos();

    /**
     * Texts a second from the first texts the reader saw to the last: the texts seen after the first poll over the time
     * between. The start-up of the group is not throughput, and the first poll's texts were scored before it.
     */
    public static double steadyRate(long[] seenAt) {
        long first = Arrays.stream(seenAt).min().orElseThrow();
        long last = Arrays.stream(seenAt).max().orElseThrow();
        long firstPoll = Arrays.stream(seenAt).filter(t -> t - first <= SAME_POLL_NANOS).count();
        return (seenAt.length - firstPoll) / Math.max(1e-9, (last - first) / 1e9);
    }

    /** Notes when each scored text becomes visible, and waits for texts of a prefix. */
    private static final class ScoredReader implements AutoCloseable {
        private final Map<String, Long> seenAt;
        private final TopicTail<ScoredText> reader;

        ScoredReader(LocalStack stack, Map<String, Long> seenAt) throws InterruptedException {
            this.seenAt = seenAt;
            this.reader = new TopicTail<>(stack.bootstrapServers(), Topics.SCORED_TEXT, (key, text, at) -> seenAt.putIfAbsent(text.getId(), at));
        }

        /** Waits until {@code expected} texts whose id starts with {@code prefix} were seen. */
        void await(String prefix, int expected) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (seenAt.keySet().stream().filter(id -> id.startsWith(prefix)).count() < expected) {
                reader.check();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not all of " + expected + " texts were scored within 30 minutes");
                }
                Thread.sleep(20);
            }
        }

        @Override
        public void close() throws InterruptedException {
            reader.close();
        }
    }

    /**
     * Texts a second of the encoder alone over {@code texts} in arrival order, {@code batch} at a time and {@code lanes}
     * calls at once (as the scorer's encoder threads make them), after a warm-up.
     */
    public static double encoderAloneRate(Encoder encoder, List<String> texts, int batch, int lanes) {
        encoder.encodeAll(texts.subList(0, Math.min(64, texts.size()))); // warm-up
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(lanes);
        try {
            long t0 = System.nanoTime();
            List<java.util.concurrent.Future<?>> calls = new ArrayList<>();
            for (int from = 0; from < texts.size(); from += batch) {
                List<String> slice = texts.subList(from, Math.min(texts.size(), from + batch));
                calls.add(pool.submit(() -> encoder.encodeAll(slice)));
            }
            for (java.util.concurrent.Future<?> call : calls) {
                call.get();
            }
            return texts.size() / seconds(t0);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the encoder failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** Texts of a JSONL file's {@code headline} (or {@code body}/{@code text}) field, at most {@code limit}. */
    public static List<String> readTexts(Path file, int limit) throws java.io.IOException {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> texts = new ArrayList<>();
        try (var lines = Files.lines(file)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (texts.size() >= limit) {
                    break;
                }
                if (line.isBlank()) {
                    continue;
                }
                var node = mapper.readTree(line);
                for (String field : Arrays.asList("headline", "body", "text")) {
                    if (node.hasNonNull(field) && !node.get(field).asText().isBlank()) {
                        texts.add(node.get(field).asText());
                        break;
                    }
                }
            }
        }
        return texts;
    }
}
