package io.finsent.alerting.service.sink;

import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.service.AlertingProducer;
import io.finsent.common.Backoff;
import io.finsent.common.ConsumerLoop;
import io.finsent.common.KafkaClientSettings;
import io.micrometer.core.instrument.Counter;

/**
 * A topic into PostgreSQL, the way every alerting sink does it: a plain consumer (read_committed, manual commits) on a
 * thread of its own, handing each partition's records to a {@link Handler} in order; an offset is committed only after
 * the handler has written its record. When the handler must retry (PostgreSQL or Kafka away), the loop rewinds to the
 * first record not done, pauses its partitions (polling on, so it stays in the group) and tries again with a growing
 * backoff until it passes: no record is ever skipped.
 */
final class DatabaseSinkLoop {

    private static final Logger LOG = Logger.getLogger(DatabaseSinkLoop.class);
    private static final long DEAD_LETTER_TIMEOUT_MS = 30_000;

    /** Writes records. */
    interface Handler {
        /**
         * Handles one partition's records, in order.
         *
         * @return how many of them are done (written or dead-lettered): all, or those before the first that must be retried
         */
        int handle(List<ConsumerRecord<byte[], byte[]>> records) throws InterruptedException;
    }

    private final String name;
    private final AlertingConfig.Sink config;
    private final Properties props;
    private final Consumer<KafkaConsumer<byte[], byte[]>> subscribe;
    private final Handler handler;
    private final Backoff backoff;
    private final AtomicLong lag = new AtomicLong();
    /** Positions this sink committed per partition (on the sink's thread only). */
    private final Map<TopicPartition, Long> committedPositions = new HashMap<>();

    private volatile ConsumerLoop loop;
    private volatile long lastLoopAt;
    private volatile String databaseProblem;
    private long retryAt;
    /** Failures in a row, for the backoff. */
    private int failures;

    /**
     * @param name      the thread's name and the consumer's client id
     * @param groupId   the consumer group (its committed offsets are the sink's progress)
     * @param subscribe subscribes the consumer to what the sink reads
     */
    DatabaseSinkLoop(String name, String groupId, AlertingConfig.Sink config, Map<String, Object> kafka,
            Consumer<KafkaConsumer<byte[], byte[]>> subscribe, Handler handler) {
        this.name = name;
        this.config = config;
        this.subscribe = subscribe;
        this.handler = handler;
        this.backoff = new Backoff(config.backoffInitial(), config.backoffMax());
        this.props = KafkaClientSettings.consumer(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
    }

    /** The consumer's settings, to add to before {@link #start()}. */
    Properties consumerSettings() {
        return props;
    }

    /** Starts the loop's thread, unless the sink is disabled (then says so, with what it means). */
    void start(boolean enabled, String whenDisabled) {
        if (!enabled) {
            LOG.infof("%s disabled: %s", name, whenDisabled);
            return;
        }
        lastLoopAt = System.nanoTime();
        loop = new ConsumerLoop(name, "restart the service", props, this::run);
        loop.start(false);
    }

    void stop() throws InterruptedException {
        ConsumerLoop l = loop;
        if (l != null) {
            l.stop(Duration.ofSeconds(15));
        }
    }

    /** Whether the loop runs and came round recently (true when it was never started: a disabled sink). */
    boolean alive() {
        ConsumerLoop l = loop;
        return l == null || l.alive() && System.nanoTime() - lastLoopAt < config.stallTimeout().toNanos();
    }

    boolean running() {
        ConsumerLoop l = loop;
        return l != null && l.running();
    }

    Throwable crash() {
        ConsumerLoop l = loop;
        return l == null ? null : l.crash();
    }

    /** Why the last write failed while the handler must retry, or null when the last write succeeded. */
    String databaseProblem() {
        return databaseProblem;
    }

    /** Records in the sink's partitions not yet written (as of its last poll). */
    long lag() {
        return lag.get();
    }

    /** The handler could not write and will retry: logged once per outage, shown by health. */
    void unavailable(String problem) {
        if (databaseProblem == null) {
            LOG.warnf("%s cannot write (%s); retrying until it can, nothing is skipped", name, problem);
        }
        databaseProblem = problem;
    }

    /** The handler wrote: the outage, if there was one, is over. */
    void written() {
        if (databaseProblem != null) {
            LOG.infof("%s writes again", name);
        }
        databaseProblem = null;
        failures = 0;
    }

    /** Data errors (class 22) and constraint violations (23) will not pass on a retry; anything else may. */
    static boolean permanent(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /** Sends a record the handler cannot write to text.dlq with its original bytes. @return false when it must be retried */
    boolean deadLetter(AlertingProducer producer, ConsumerRecord<byte[], byte[]> record, String reason, Counter counter)
            throws InterruptedException {
        try {
            producer.deadLetter(record, reason, DEAD_LETTER_TIMEOUT_MS);
            counter.increment();
            LOG.warnf("%s: record %s-%d@%d to text.dlq: %s", name, record.topic(), record.partition(), record.offset(), reason);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("%s could not write a dead letter (will retry): %s", name, e.getMessage());
            return false;
        }
    }

    private void run(KafkaConsumer<byte[], byte[]> c) throws InterruptedException {
        subscribe.accept(c);
        while (loop.running()) {
            lastLoopAt = System.nanoTime();
            if (retryAt != 0) {
                long waitMs = retryAt - System.currentTimeMillis();
                if (waitMs > 0) {
                    // Paused: the poll returns nothing from our partitions but keeps us in the group.
                    ConsumerRecords<byte[], byte[]> early = c.poll(Duration.ofMillis(Math.min(waitMs, 1000)));
                    rewindAndPause(c, early, Map.of());
                    continue;
                }
                c.resume(c.paused());
                retryAt = 0;
            }
            ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(500));
            if (!records.isEmpty()) {
                handle(c, records);
            }
            if (retryAt == 0) {
                commitPositions(c);
            }
            updateLag(c);
        }
    }

    private void handle(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            if (!loop.running()) {
                break;
            }
            List<ConsumerRecord<byte[], byte[]>> part = records.records(partition);
            int handled = handler.handle(part);
            if (handled > 0) {
                done.put(partition, new OffsetAndMetadata(part.get(handled - 1).offset() + 1));
            }
            if (handled < part.size()) {
                commit(c, done);
                rewindAndPause(c, records, done);
                retryAt = System.currentTimeMillis() + backoff.delay(++failures).toMillis();
                return;
            }
        }
        commit(c, done);
    }

    /** Seeks every partition of {@code records} back to its first record not in {@code done}, and pauses all. */
    private static void rewindAndPause(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records,
            Map<TopicPartition, OffsetAndMetadata> done) {
        for (TopicPartition partition : records.partitions()) {
            OffsetAndMetadata next = done.get(partition);
            c.seek(partition, next != null ? next.offset() : records.records(partition).get(0).offset());
        }
        Set<TopicPartition> assigned = c.assignment();
        c.pause(assigned);
    }

    /** A failed commit only means a redelivery, which writes the same rows: logged, not fatal. @return whether it committed */
    private boolean commit(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, OffsetAndMetadata> done) {
        if (done.isEmpty()) {
            return true;
        }
        try {
            c.commitSync(done);
            return true;
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warnf("%s could not commit its offsets (the records will be read again, writing the same rows): %s", name, e.getMessage());
            return false;
        }
    }

    /**
     * Every record polled so far is written: commits each partition's position where it moved past the last commit. The
     * position is past the transaction markers that follow the last record too (an offset + 1 commit would leave one
     * marker per partition as lag for ever), so the group's lag, which lag alerts and autoscalers read, falls to 0 when
     * the sink has caught up.
     */
    private void commitPositions(KafkaConsumer<byte[], byte[]> c) {
        Map<TopicPartition, OffsetAndMetadata> moved = new HashMap<>();
        for (TopicPartition p : c.assignment()) {
            long position = c.position(p);
            Long last = committedPositions.get(p);
            if (last == null || position > last) {
                moved.put(p, new OffsetAndMetadata(position));
            }
        }
        if (commit(c, moved)) {
            moved.forEach((p, at) -> committedPositions.put(p, at.offset()));
        }
        committedPositions.keySet().retainAll(c.assignment());
    }

    private void updateLag(KafkaConsumer<byte[], byte[]> c) {
        long total = 0;
        for (TopicPartition p : c.assignment()) {
            total += c.currentLag(p).orElse(0);
        }
        lag.set(total);
    }
}
