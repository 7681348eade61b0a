package io.finsent.scoring;

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

import io.finsent.common.Topics;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.ScoredText;

/**
 * raw text → decode and validate → buffer → batched encoder → topics → scored text; anything bad
 * goes to the dead-letter topic with its reason and original bytes. Built by a static function, so
 * tests build it without a broker; it does no I/O itself.
 */
public final class ScorerTopology {

    public static final String PENDING_TEXTS = "pending-texts";
    public static final String TOPIC_DEFINITIONS = "topic-definitions";

    /** Dead-letter stages of the scorer (field {@code stage} of a {@link DeadLetter}). */
    static final String STAGE_DESERIALIZE = "scorer.deserialize";
    static final String STAGE_VALIDATE = "scorer.validate";
    static final String STAGE_ENCODE = "scorer.encode";

    private ScorerTopology() {
    }

    /** The live topology: {@link ScorerRoute#live()}. */
    public static Topology build(ScorerSettings settings, TextScorer scorer, ScorerMetrics metrics) {
        return build(settings, ScorerRoute.live(), scorer, metrics);
    }

    /** The same topology on other topics and an event-time range (a replay). */
    public static Topology build(ScorerSettings settings, ScorerRoute route, TextScorer scorer, ScorerMetrics metrics) {
        return build(settings, route, scorer, metrics, encoderExecutor(settings.encoderThreads()));
    }

    /**
     * The topology with model calls run by {@code encoderExecutor}: a direct executor ({@code Runnable::run}) makes
     * each call on the stream thread, as tests with TopologyTestDriver want.
     */
    public static Topology build(ScorerSettings settings, ScorerRoute route, TextScorer scorer, ScorerMetrics metrics,
                                 Executor encoderExecutor) {
        StreamsBuilder builder = new StreamsBuilder();
        EncoderPace pace = new EncoderPace();
        CallCompletions completions = new CallCompletions();
        TopicCatalog catalog = new TopicCatalog();
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TOPIC_DEFINITIONS), Serdes.String(), Topics.TOPIC_CONFIG.valueSerde())
                        .withLoggingDisabled(),
                Topics.TOPIC_CONFIG.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("topic-definitions-source"),
                () -> new TopicDefinitionUpdater(catalog));
        // The buffer holds at most two batches per task and lives for a fraction of a second: an in-memory store with a
        // changelog (restored from it after a crash) spares RocksDB's flush at every exactly-once commit.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING_TEXTS), Serdes.String(), PendingText.SERDE));

        Map<String, KStream<String, Object>> intake = builder
                .stream(route.rawTopic(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("raw-text-source"))
                .process(() -> new TextIntake(settings, route, metrics), Named.as("intake"))
                .split(Named.as("intake-"))
                .branch((key, value) -> value instanceof PendingText, Branched.as("accepted"))
                .defaultBranch(Branched.as("rejected"));

        Map<String, KStream<String, Object>> scored = intake.get("intake-accepted")
                .mapValues(value -> (PendingText) value, Named.as("as-pending"))
                .process(() -> new BatchingScorer(settings, scorer, metrics, encoderExecutor, pace, completions, catalog), Named.as("batching-scorer"), PENDING_TEXTS)
                .split(Named.as("scored-"))
                .branch((key, value) -> value instanceof ScoredText, Branched.as("ok"))
                .defaultBranch(Branched.as("failed"));

        scored.get("scored-ok")
                .mapValues(value -> (ScoredText) value, Named.as("as-scored"))
                .to(route.scoredTopic(), Produced.with(Topics.SCORED_TEXT.keySerde(), Topics.SCORED_TEXT.valueSerde()).withName("scored-text-sink"));
        intake.get("intake-rejected").merge(scored.get("scored-failed"), Named.as("dead-letters"))
                .mapValues(value -> (DeadLetter) value, Named.as("as-dead-letter"))
                .to(route.deadLetterTopic(), Produced.with(Topics.DEAD_LETTERS.keySerde(), Topics.DEAD_LETTERS.valueSerde()).withName("dead-letter-sink"));
        return builder.build();
    }

    /**
     * The threads that make the model calls of every task and stream thread of a topology, while the stream threads go on
     * with Kafka: {@code threads} calls at once on the one shared session. On CPU one call per core, each with one
     * intra-op thread, beat one call at a time over both cores (139 against 107 tweets/s on the 2-core reference
     * machine): independent calls need no barrier between the threads of an operator, so a core taken for a moment by
     * the broker or the stream thread delays one call, not every operator of the other. Results are bit-identical either
     * way. The threads are daemons and end after a minute idle, so topologies of finished replays leave none.
     */
    static Executor encoderExecutor(int threads) {
        AtomicInteger made = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "finsent-encoder-" + made.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
