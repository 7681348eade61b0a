package io.finsent.alerting.service.sink;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SerializationException;
import org.jboss.logging.Logger;

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
 * topic.trends into PostgreSQL ({@link DatabaseSinkLoop}: read_committed, offsets committed after the write, paused and
 * retried while PostgreSQL is away, nothing skipped). Each record is one database transaction ({@link TrendWindowWriter}):
 * the window's row, its rules' states and alerts; the live run's alert changes then go to alert.events. A record it cannot
 * read goes to text.dlq with its original bytes, and the sink moves on.
 */
@ApplicationScoped
public class TrendSink {

    private static final Logger LOG = Logger.getLogger(TrendSink.class);
    private static final long SEND_TIMEOUT_MS = 30_000;

    private final TrendWindowWriter writer;
    private final AlertingProducer producer;
    private final AlertingConfig.Sink config;
    private final Counter deadLetters;
    private final DatabaseSinkLoop loop;

    TrendSink(TrendWindowWriter writer, AlertingProducer producer, AlertingConfig config, MeterRegistry registry,
            @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.writer = writer;
        this.producer = producer;
        this.config = config.sink();
        this.loop = new DatabaseSinkLoop("finsent-alerting-sink", this.config.groupId(), this.config, kafka,
                c -> c.subscribe(List.of(Topics.TOPIC_TRENDS.name())), this::handle);
        this.deadLetters = Counter.builder("finsent.alerting.sink.dead.letters").description("trend records sent to text.dlq")
                .register(registry);
        Gauge.builder("finsent.alerting.sink.lag", loop, DatabaseSinkLoop::lag).description("trend records not yet written to PostgreSQL")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        loop.start(config.enabled(), "alerting.sink.enabled=false, no trend window reaches PostgreSQL");
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        loop.stop();
    }

    /** The sink's loop: its health, lag and last database problem. */
    DatabaseSinkLoop loop() {
        return loop;
    }

    private int handle(List<ConsumerRecord<byte[], byte[]>> records) throws InterruptedException {
        for (int i = 0; i < records.size(); i++) {
            if (!loop.running() || !process(records.get(i))) {
                return i;
            }
        }
        return records.size();
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
            if (DatabaseSinkLoop.permanent(e)) {
                LOG.errorf("PostgreSQL refused trend window %s/%s at %s: %s", window.getRunId(), window.getTopic(),
                        window.getWindowStart(), e.getMessage());
                return deadLetter(record, "PostgreSQL refused the window: " + e.getMessage());
            }
            loop.unavailable("PostgreSQL: " + e.getMessage());
            return false;
        } catch (RuntimeException e) {
            LOG.errorf(e, "cannot evaluate trend window %s/%s at %s", window.getRunId(), window.getTopic(), window.getWindowStart());
            return deadLetter(record, "cannot evaluate the window: " + e);
        }
        if (!publish(changes)) {
            return false;
        }
        loop.written();
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
        return loop.deadLetter(producer, record, reason, deadLetters);
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
}
