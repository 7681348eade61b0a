package io.finsent.replay;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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
import io.finsent.common.Topics;
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
            int partitions = Kafka.partitionsOf(admin, Topics.SCORED_TEXT.name(), 6);
            boolean fromFiles = !options.files().isEmpty();
            String source = fromFiles ? RunTopics.raw(run) : options.sourceTopic();
            if (!fromFiles && !Kafka.exists(admin, source)) {
                throw new ReplayException("the source topic " + source + " does not exist on " + options.bootstrapServers());
            }
            List<NewTopic> own = new ArrayList<>(List.of(runTopic(RunTopics.scored(run), partitions), runTopic(RunTopics.deadLetters(run), 1)));
            boolean stagingNeeded = false;
            if (fromFiles) {
                stagingNeeded = !Kafka.exists(admin, source);
                own.add(runTopic(source, partitions));
            }
            Kafka.create(admin, own);

            String scorerGroup = RunTopics.scorerApplication(run);
            Map<TopicPartition, Long> committed = Kafka.committed(admin, scorerGroup);
            boolean resumed = !committed.isEmpty();
            long staged = 0;
            if (stagingNeeded) {
                if (resumed) {
                    throw new ReplayException("run " + run + " has lost its raw topic; delete it (./monitor replay delete " + run + ") and start again");
                }
                listener.phase("staging " + options.files().size() + " archive file(s) into " + source);
                staged = ArchiveStaging.stage(options.files(), source, RunTopics.deadLetters(run), kafka, options.from(), options.to());
            } else if (fromFiles && !resumed && Kafka.endOffsets(kafka, source).values().stream().mapToLong(Long::longValue).sum() > 0) {
                throw new ReplayException("run " + run + " was stopped while staging its archive files; delete it (./monitor replay delete " + run
                        + ") and start again");
            }

            Map<TopicPartition, Long> firsts = Kafka.offsetsAt(kafka, source, options.from());
            if (!resumed) {
                Kafka.setCommitted(admin, scorerGroup, firsts);
                committed = firsts;
            }
            Map<TopicPartition, Long> ends = Kafka.endOffsets(kafka, source);
            if (resumed) {
                // The end of the range is fixed at the first start, saved as the group's commit metadata would be fragile: a resumed run
                // reads to the current end, and texts after 'to' are skipped anyway.
                listener.phase("resuming run " + run + " from its committed offsets");
            }
            long total = 0;
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                total += Math.max(0, end.getValue() - firsts.getOrDefault(end.getKey(), end.getValue()));
            }

            // As the scorer runs it: one intra-op thread per call, ScorerSettings' encoder threads of calls at once.
            try (Encoder opened = sharedEncoder != null ? null
                    : Encoder.open(options.model(), EncoderOptions.defaults().withPaddingMultiple(1).withIntraOpThreads(1))) {
                TextScorer scorer = new EncoderTextScorer(sharedEncoder != null ? sharedEncoder : opened);
                ScorerMetrics metrics = new ScorerMetrics(new SimpleMeterRegistry());
                ScorerSettings settings = new ScorerSettings(options.maxBatch(), Math.max(ScorerSettings.defaults().tokenBudget(), options.maxBatch() * 64),
                        ScorerSettings.defaults().maxWait(), ScorerSettings.defaults().maxTextChars());
                ScorerRoute route = new ScorerRoute(source, RunTopics.scored(run), RunTopics.deadLetters(run), options.from(), options.to());
                TrendSettings trendSettings = options.trendSettings();
                long scoringStarted;
                double scoringSeconds;
                try (Apps apps = new Apps()) {
                    KafkaStreams scorerApp = apps.start(ScorerTopology.build(settings, route, scorer, metrics), streamsConfig(options, scorerGroup, "scorer"));
                    KafkaStreams trendApp = apps.start(TrendTopology.build(trendSettings), streamsConfig(options, RunTopics.trendApplication(run), "trends"));
                    listener.phase("scoring " + total + " records of " + source + " from " + options.from() + " to " + options.to());
                    scoringStarted = System.nanoTime();
                    awaitScored(admin, scorerApp, scorerGroup, ends, firsts, total, apps);
                    scoringSeconds = (System.nanoTime() - scoringStarted) / 1e9;
                    apps.close(scorerApp); // commits the last scored texts

                    listener.phase("closing the last trend windows");
                    Instant watermark = EndOfInput.timestamp(options.to(), trendSettings);
                    Kafka.writeMarkers(kafka, RunTopics.scored(run), watermark);
                    awaitTrends(admin, trendApp, apps);
                }
                long windows = TrendRecords.read(kafka, run, null, null).size();
                long[] dead = DeadLetterCounts.count(kafka, RunTopics.deadLetters(run), null, null);
                long rows = options.jdbcUrl() == null ? -1 : awaitRows(run, windows);
                return new ReplayReport(run, options.from(), options.to(), fromFiles ? String.join(",", options.files().stream().map(Path::toString).toList())
                        : source, resumed, staged, total, metrics.textsScored(), dead[0], dead[1], windows, rows, (System.nanoTime() - started) / 1e9,
                        scoringSeconds <= 0 ? 0 : metrics.textsScored() / scoringSeconds);
            }
        }
    }

    private static NewTopic runTopic(String name, int partitions) {
        // Records keep their event time, often years old: kept by size, never by age (as text.raw).
        return new NewTopic(name, partitions, (short) -1).configs(Map.of("retention.ms", "-1", "retention.bytes", "10737418240"));
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

    private void awaitScored(Admin admin, KafkaStreams scorerApp, String group, Map<TopicPartition, Long> ends, Map<TopicPartition, Long> firsts,
                             long total, Apps apps) throws InterruptedException {
        while (true) {
            checkRunning(apps);
            Map<TopicPartition, Long> committed = Kafka.committed(admin, group);
            long done = 0;
            boolean reached = true;
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                long at = committed.getOrDefault(end.getKey(), firsts.getOrDefault(end.getKey(), 0L));
                done += Math.max(0, Math.min(at, end.getValue()) - firsts.getOrDefault(end.getKey(), end.getValue()));
                reached &= at >= end.getValue();
            }
            listener.progress(done, total);
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

    private void awaitTrends(Admin admin, KafkaStreams trendApp, Apps apps) throws InterruptedException {
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

    private void checkRunning(Apps apps) throws InterruptedException {
        if (cancelled.get() || Thread.currentThread().isInterrupted()) {
            throw new ReplayCancelledException("replay " + options.runId() + " stopped; its offsets and state are committed: run the same command"
                    + " (same --run-id) to resume");
        }
        Throwable failure = apps.failure.get();
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

    /** The run's Kafka Streams applications: closed (cleanly, committing) in reverse order; the first failure is kept. */
    private static final class Apps implements AutoCloseable {
        private final List<KafkaStreams> running = new ArrayList<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        KafkaStreams start(org.apache.kafka.streams.Topology topology, Properties config) {
            KafkaStreams streams = new KafkaStreams(topology, config);
            streams.setUncaughtExceptionHandler(e -> {
                failure.compareAndSet(null, e);
                return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            running.add(streams);
            streams.start();
            return streams;
        }

        void close(KafkaStreams streams) {
            closeLeavingGroup(streams);
            running.remove(streams);
        }

        @Override
        public void close() {
            for (int i = running.size() - 1; i >= 0; i--) {
                closeLeavingGroup(running.get(i));
            }
            running.clear();
        }

        /** Leaves the group at once (Kafka Streams stays in it until the session times out by default), so a delete can follow. */
        private static void closeLeavingGroup(KafkaStreams streams) {
            streams.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(60)).leaveGroup(true));
        }
    }
}
