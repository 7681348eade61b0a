package io.finsent.replay;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import io.finsent.alerting.trends.EndOfInput;
import io.finsent.alerting.trends.TrendSettings;
import io.finsent.alerting.trends.TrendTopology;
import io.finsent.common.KafkaConnection;
import io.finsent.encoder.Encoder;
import io.finsent.encoder.EncoderOptions;
import io.finsent.scoring.EncoderTextScorer;
import io.finsent.scoring.ScorerMetrics;
import io.finsent.scoring.ScorerRoute;
import io.finsent.scoring.ScorerSettings;
import io.finsent.scoring.ScorerTopology;
import io.finsent.scoring.TextScorer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Replays a range of raw text through the live topology code under a run id: the scoring topology as
 * application {@code finsent-replay-<run>-scorer} (source: the raw topic read from the first offset at or after
 * {@code from}, or archive files staged into {@code replay.<run>.raw}; sink {@code replay.<run>.scored}) and the trend
 * topology as {@code finsent-replay-<run>-trends} (run id = the run, sink {@code topic.trends}, where the alerting
 * service writes the run's rows and records, never delivers, its alerts). Both run exactly_once_v2 in this process.
 *
 * <p>The range ends at the source's end offsets taken at the first start; texts at or after {@code to} are skipped.
 * Once every text is scored, {@link EndOfInput} markers close the last windows. A replay stopped half-way (Ctrl-C,
 * {@link #cancel()}) keeps its committed offsets and state: run it again with the same run id to resume.
 * Callable from the CLI, a REST endpoint or a test: it prints nothing, progress goes to a {@link Listener}.
 */
public final class Replay {

    /** Progress of a replay; called from the replay's thread. */
    public interface Listener {
        /** A new phase begins, e.g. "scoring". */
        default void phase(String description) {
        }

        /** {@code done} of {@code total} input records are processed (committed). */
        default void progress(long done, long total) {
        }
    }

    private static final Duration POLL = Duration.ofMillis(250);

    private final ReplayOptions options;
    private final Encoder sharedEncoder;
    private final Listener listener;
    private final AtomicBoolean cancelled = new AtomicBoolean();

    /** A replay that opens its own encoder session on {@code options.model()}. */
    public Replay(ReplayOptions options, Listener listener) {
        this(options, null, listener);
    }

    /**
     * A replay that scores with an open encoder, e.g. the scorer service's session, shared with live (sessions are
     * thread-safe; a second one would load the model twice). The caller keeps it open for the run and closes it.
     */
    public Replay(ReplayOptions options, Encoder encoder, Listener listener) {
        this.options = options;
        this.sharedEncoder = encoder;
        this.listener = listener;
    }

    /** Runs a replay to its end, with no progress reports. */
    public static ReplayReport run(ReplayOptions options) throws InterruptedException {
        return new Replay(options, new Listener() { }).run();
    }

    /** Stops a running replay at its next check; {@link #run()} then throws {@link ReplayCancelledException}. */
    public void cancel() {
        cancelled.set(true);
    }

    public ReplayReport run() throws InterruptedException {
        long started = System.nanoTime();
        String run = options.runId();
        KafkaConnection kafka = options.kafka();
        try (Admin admin = Kafka.admin(kafka)) {
            Kafka.checkReachable(admin, options.bootstrapServers());
            ReplayInput input = ReplayInput.prepare(admin, options, listener);

            // As the scorer runs it: one intra-op thread per call, ScorerSettings' encoder threads of calls at once.
            try (Encoder opened = sharedEncoder != null ? null
                    : Encoder.open(options.model(), EncoderOptions.defaults().withPaddingMultiple(1).withIntraOpThreads(1))) {
                ScorerMetrics metrics = new ScorerMetrics(new SimpleMeterRegistry());
                double scoringSeconds = runTopologies(admin, input, new EncoderTextScorer(sharedEncoder != null ? sharedEncoder : opened), metrics);
                long windows = TrendRecords.read(kafka, run, null, null).size();
                long[] dead = DeadLetterCounts.count(kafka, RunTopics.deadLetters(run), null, null);
                long rows = options.jdbcUrl() == null ? -1 : awaitRows(run, windows);
                return new ReplayReport(run, options.from(), options.to(), input.fromFiles() ? String.join(",", options.files().stream().map(Path::toString).toList())
                        : input.source(), input.resumed(), input.staged(), input.total(), metrics.textsScored(), dead[0], dead[1], windows, rows,
                        (System.nanoTime() - started) / 1e9, scoringSeconds <= 0 ? 0 : metrics.textsScored() / scoringSeconds);
            }
        }
    }

    /**
     * Runs the scoring and trend topologies until every text of the input is scored and every trend window it makes is closed.
     *
     * @return the seconds spent scoring
     */
    private double runTopologies(Admin admin, ReplayInput input, TextScorer scorer, ScorerMetrics metrics) throws InterruptedException {
        String run = options.runId();
        ScorerSettings settings = new ScorerSettings(options.maxBatch(), Math.max(ScorerSettings.defaults().tokenBudget(), options.maxBatch() * 64),
                ScorerSettings.defaults().maxWait(), ScorerSettings.defaults().maxTextChars());
        ScorerRoute route = new ScorerRoute(input.source(), RunTopics.scored(run), RunTopics.deadLetters(run), options.from(), options.to());
        TrendSettings trendSettings = options.trendSettings();
        try (StreamsApps apps = new StreamsApps()) {
            KafkaStreams scorerApp = apps.start(ScorerTopology.build(settings, route, scorer, metrics), streamsConfig(options, input.scorerGroup(), "scorer"));
            KafkaStreams trendApp = apps.start(TrendTopology.build(trendSettings), streamsConfig(options, RunTopics.trendApplication(run), "trends"));
            listener.phase("scoring " + input.total() + " records of " + input.source() + " from " + options.from() + " to " + options.to());
            long scoringStarted = System.nanoTime();
            awaitScored(admin, scorerApp, input, apps);
            double scoringSeconds = (System.nanoTime() - scoringStarted) / 1e9;
            apps.close(scorerApp); // commits the last scored texts

            listener.phase("closing the last trend windows");
            Kafka.writeMarkers(options.kafka(), RunTopics.scored(run), EndOfInput.timestamp(options.to(), trendSettings));
            awaitTrends(admin, trendApp, apps);
            return scoringSeconds;
        }
    }

    /** The client settings go in at the top level: Kafka Streams hands them to its consumers, producers and admin client. */
    static Properties streamsConfig(ReplayOptions options, String applicationId, String part) {
        Properties props = new Properties();
        props.putAll(options.kafka().streams());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, options.threads());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        props.put(StreamsConfig.STATE_DIR_CONFIG, options.stateDir().resolve(part).toString());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Static members: closing with leaveGroup removes them at once (dynamic Kafka Streams members stay until their session
        // times out), so `replay delete` can follow a finished or stopped replay; a second process on the same run is fenced.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), applicationId);
        // A bounded run: check for closed windows on every record, so the end-of-input markers close them at once.
        props.put(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION, 0L);
        return props;
    }

    private void awaitScored(Admin admin, KafkaStreams scorerApp, ReplayInput input, StreamsApps apps) throws InterruptedException {
        Map<TopicPartition, Long> ends = input.ends();
        Map<TopicPartition, Long> firsts = input.firsts();
        while (true) {
            checkRunning(apps);
            Map<TopicPartition, Long> committed = Kafka.committed(admin, input.scorerGroup());
            long done = 0;
            boolean reached = true;
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                long at = committed.getOrDefault(end.getKey(), firsts.getOrDefault(end.getKey(), 0L));
                done += Math.max(0, Math.min(at, end.getValue()) - firsts.getOrDefault(end.getKey(), end.getValue()));
                reached &= at >= end.getValue();
            }
            listener.progress(done, input.total());
            if (reached && pendingTexts(scorerApp) == 0) {
                return;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Texts buffered in the scorer's state stores, waiting for a model call (0 once all are scored). */
    private static long pendingTexts(KafkaStreams app) {
        if (app.state() != KafkaStreams.State.RUNNING) {
            return Long.MAX_VALUE;
        }
        try {
            ReadOnlyKeyValueStore<String, ?> store = app.store(StoreQueryParameters.fromNameAndType(ScorerTopology.PENDING_TEXTS,
                    QueryableStoreTypes.keyValueStore()));
            long n = 0;
            try (KeyValueIterator<String, ?> all = store.all()) {
                while (all.hasNext()) {
                    all.next();
                    n++;
                }
            }
            return n;
        } catch (RuntimeException e) {
            return Long.MAX_VALUE; // rebalancing: ask again
        }
    }

    private void awaitTrends(Admin admin, KafkaStreams trendApp, StreamsApps apps) throws InterruptedException {
        String group = RunTopics.trendApplication(options.runId());
        String repartition = group + "-" + TrendTopology.BY_TOPIC + "-repartition";
        Map<TopicPartition, Long> scoredEnds = Kafka.endOffsets(options.kafka(), RunTopics.scored(options.runId()));
        while (true) {
            checkRunning(apps);
            Map<TopicPartition, Long> committed = Kafka.committed(admin, group);
            if (reached(committed, scoredEnds)) {
                // Everything read from the scored topic is committed, so the repartition topic holds all it will hold.
                Map<TopicPartition, Long> repartitionEnds = Kafka.endOffsets(options.kafka(), repartition);
                if (reached(committed, repartitionEnds)) {
                    return;
                }
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private static boolean reached(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (end.getValue() > 0 && committed.getOrDefault(end.getKey(), 0L) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void checkRunning(StreamsApps apps) throws InterruptedException {
        if (cancelled.get() || Thread.currentThread().isInterrupted()) {
            throw new ReplayCancelledException("replay " + options.runId() + " stopped; its offsets and state are committed: run the same command"
                    + " (same --run-id) to resume");
        }
        Throwable failure = apps.failure();
        if (failure != null) {
            throw new ReplayException("replay " + options.runId() + " failed: " + failure, failure);
        }
    }

    private long awaitRows(String run, long windows) throws InterruptedException {
        long deadline = System.nanoTime() + options.rowsWait().toNanos();
        listener.phase("waiting for the alerting service to write the run's " + windows + " trend rows");
        long rows = 0;
        while (System.nanoTime() < deadline) {
            try {
                rows = RunDatabase.trendRowCount(options.jdbcUrl(), options.jdbcUser(), run);
            } catch (ReplayException e) {
                return -1;
            }
            if (rows >= windows) {
                return rows;
            }
            Thread.sleep(500);
        }
        return rows;
    }
}
