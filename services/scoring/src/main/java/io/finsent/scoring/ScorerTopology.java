package io.finsent.scoring;

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

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
        return build(settings, route, scorer, metrics, encoderExecutor());
    }

    /**
     * The topology with model calls run by {@code encoderExecutor}: a direct executor ({@code Runnable::run}) makes
     * each call on the stream thread, as tests with TopologyTestDriver want.
     */
    public static Topology build(ScorerSettings settings, ScorerRoute route, TextScorer scorer, ScorerMetrics metrics,
                                 Executor encoderExecutor) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TOPIC_DEFINITIONS), Serdes.String(), Topics.TOPIC_CONFIG.valueSerde())
                        .withLoggingDisabled(),
                Topics.TOPIC_CONFIG.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("topic-definitions-source"),
                TopicDefinitionUpdater::new);
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
                .process(() -> new BatchingScorer(settings, scorer, metrics, encoderExecutor), Named.as("batching-scorer"), PENDING_TEXTS)
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
     * One thread for the model calls of every task and stream thread of a topology: calls run one at a time (the
     * session's intra-op threads use the cores, a GPU runs one call at a time anyway) while the stream threads go on
     * with Kafka. The thread is a daemon and ends after a minute idle, so topologies of finished replays leave none.
     */
    static Executor encoderExecutor() {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "finsent-encoder");
            thread.setDaemon(true);
            return thread;
        });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
