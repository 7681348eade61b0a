package io.finsent.alerting.service.sink;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import io.finsent.common.Backoff;
import io.finsent.common.ConsumerLoop;
import io.finsent.common.KafkaClientSettings;
import io.finsent.alerting.rules.AlertTransition;
import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.service.AlertingProducer;
import io.finsent.alerting.trends.TrendSettings;
import io.finsent.common.Topics;
import io.finsent.schema.TopicTrendWindow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * topic.trends into PostgreSQL: a plain consumer (read_committed, manual commits) on a thread of its own. Each
 * record is one database transaction ({@link TrendWindowWriter}); its offset is committed only after that.
 * When PostgreSQL fails, the sink rolls back, rewinds to the failed record, pauses its partitions (polling on,
 * so it stays in the group) and tries again with a growing backoff until the database is back: no record is
 * ever skipped. A record it cannot read goes to text.dlq with its original bytes, and the sink moves on.
 */
@ApplicationScoped
public class TrendSink {

    private static final Logger LOG = Logger.getLogger(TrendSink.class);
    private static final long SEND_TIMEOUT_MS = 30_000;

    private final TrendWindowWriter writer;
    private final AlertingProducer producer;
    private final AlertingConfig.Sink config;
    /** The service's kafka.* client settings (address, security). */
    private final Map<String, Object> kafka;
    private final Counter deadLetters;
    private final AtomicLong lag = new AtomicLong();

    private volatile ConsumerLoop loop;
    private volatile long lastLoopAt;
    private volatile String databaseProblem;

    private long retryAt;
    private final Backoff backoff;
    /** PostgreSQL or Kafka failures in a row, for the backoff. */
    private int failures;
    /** Positions this sink committed per partition (on the sink's thread only). */
    private final Map<TopicPartition, Long> committedPositions = new HashMap<>();

    TrendSink(TrendWindowWriter writer, AlertingProducer producer, AlertingConfig config, MeterRegistry registry,
            @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.writer = writer;
        this.producer = producer;
        this.config = config.sink();
        this.kafka = kafka;
        this.backoff = new Backoff(this.config.backoffInitial(), this.config.backoffMax());
        this.deadLetters = Counter.builder("finsent.alerting.sink.dead.letters").description("trend records sent to text.dlq")
                .register(registry);
        Gauge.builder("finsent.alerting.sink.lag", lag, AtomicLong::get).description("trend records not yet written to PostgreSQL")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("trend sink disabled (alerting.sink.enabled=false)");
            return;
        }
        Properties props = KafkaClientSettings.consumer(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "finsent-alerting-sink");
        lastLoopAt = System.nanoTime();
        loop = new ConsumerLoop("alerting-trend-sink", "restart the service", props, this::run);
        loop.start(false);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        ConsumerLoop l = loop;
        if (l != null) {
            l.stop(Duration.ofSeconds(15));
        }
    }

    /** Whether the sink is enabled and its loop is alive and came round recently. */
    public boolean alive() {
        if (!config.enabled()) {
            return true;
        }
        ConsumerLoop l = loop;
        return l != null && l.alive() && System.nanoTime() - lastLoopAt < config.stallTimeout().toNanos();
    }

    /** Why the last write failed while PostgreSQL is failing, or null when the last write succeeded. */
    public String databaseProblem() {
        return databaseProblem;
    }

    public Throwable crash() {
        ConsumerLoop l = loop;
        return l == null ? null : l.crash();
    }

    /** Trend records in the sink's partitions not yet written (as of its last poll). */
    public long lag() {
        return lag.get();
    }

    /** The sink's loop: on its own thread (ConsumerLoop), until the service stops. */
    private void run(KafkaConsumer<byte[], byte[]> c) throws InterruptedException {
        c.subscribe(List.of(Topics.TOPIC_TRENDS.name()));
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
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                if (!loop.running()) {
                    commit(c, done);
                    return;
                }
                if (!process(record)) {
                    commit(c, done);
                    rewindAndPause(c, records, done);
                    retryAt = System.currentTimeMillis() + backoff.delay(++failures).toMillis();
                    return;
                }
                done.put(partition, new OffsetAndMetadata(record.offset() + 1));
            }
        }
        commit(c, done);
    }

    /**
     * Handles one record: written, or dead-lettered when it cannot be read. False when it must be retried
     * (PostgreSQL or Kafka unavailable).
     */
    private boolean process(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        if (record.value() == null) {
            return true; // a tombstone of the compacted topic: nothing to write
        }
        TopicTrendWindow window;
        try {
            window = Topics.TOPIC_TRENDS.valueSerde().deserializer().deserialize(record.topic(), record.value());
            String invalid = invalid(window);
            if (invalid != null) {
                return deadLetter(record, invalid);
            }
        } catch (SerializationException e) {
            return deadLetter(record, e.getMessage());
        }
        List<AlertTransition> changes;
        try {
            changes = writer.write(window);
        } catch (SQLException e) {
            if (permanent(e)) {
                LOG.errorf("PostgreSQL refused trend window %s/%s at %s: %s", window.getRunId(), window.getTopic(),
                        window.getWindowStart(), e.getMessage());
                return deadLetter(record, "PostgreSQL refused the window: " + e.getMessage());
            }
            unavailable("PostgreSQL: " + e.getMessage());
            return false;
        } catch (RuntimeException e) {
            LOG.errorf(e, "cannot evaluate trend window %s/%s at %s", window.getRunId(), window.getTopic(), window.getWindowStart());
            return deadLetter(record, "cannot evaluate the window: " + e);
        }
        if (!publish(changes)) {
            return false;
        }
        if (databaseProblem != null) {
            LOG.info("PostgreSQL is back; the trend sink goes on");
        }
        databaseProblem = null;
        failures = 0;
        return true;
    }

    /** Live alert changes to alert.events (the dashboards' live stream), acknowledged before the offset commit. */
    private boolean publish(List<AlertTransition> changes) throws InterruptedException {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (AlertTransition t : changes) {
            if (TrendSettings.LIVE.equals(t.runId())) {
                sent.add(producer.send(Topics.ALERT_EVENTS, t.alertId(), t.toAvro()));
            }
        }
        try {
            for (Future<RecordMetadata> f : sent) {
                f.get(SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warnf("could not publish alert events (will retry the window): %s", e.getMessage());
            return false;
        }
    }

    private boolean deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) throws InterruptedException {
        try {
            producer.deadLetter(record, reason, SEND_TIMEOUT_MS);
            deadLetters.increment();
            LOG.warnf("trend record %s-%d@%d to text.dlq: %s", record.topic(), record.partition(), record.offset(), reason);
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warnf("could not write a dead letter (will retry): %s", e.getMessage());
            return false;
        }
    }

    private static String invalid(TopicTrendWindow w) {
        if (w.getTopic().isBlank() || w.getRunId().isBlank()) {
            return "empty topic or run id";
        }
        if (w.getWindowSizeMs() <= 0) {
            return "window size " + w.getWindowSizeMs() + " ms is not positive";
        }
        if (w.getCount() < 0 || w.getNegative() < 0 || w.getNeutral() < 0 || w.getPositive() < 0
                || w.getNegative() + w.getNeutral() + w.getPositive() != w.getCount()) {
            return "label counts " + w.getNegative() + "+" + w.getNeutral() + "+" + w.getPositive() + " do not add up to count " + w.getCount();
        }
        if (!Double.isFinite(w.getMeanScore()) || !Double.isFinite(w.getScoreStddev()) || !Double.isFinite(w.getMeanPNegative())) {
            return "a mean or standard deviation is not a finite number";
        }
        return null;
    }

    /** Data errors (class 22) and constraint violations (23) will not pass on a retry; anything else may. */
    private static boolean permanent(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    private void unavailable(String problem) {
        if (databaseProblem == null) {
            LOG.warnf("trend sink cannot write (%s); retrying until it can, nothing is skipped", problem);
        }
        databaseProblem = problem;
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
    private static boolean commit(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, OffsetAndMetadata> done) {
        if (done.isEmpty()) {
            return true;
        }
        try {
            c.commitSync(done);
            return true;
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warnf("could not commit the sink's offsets (the records will be read again, writing the same rows): %s", e.getMessage());
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
