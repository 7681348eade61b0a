package io.finsent.alerting.service.api;

import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

import io.finsent.common.KafkaClientSettings;
import io.finsent.alerting.service.AlertingConfig;
import io.finsent.common.Topics;
import io.finsent.schema.AlertEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.smallrye.common.annotation.Identifier;

/**
 * Feeds {@code GET /v1/alerts/stream}: every instance reads all of alert.events from its end (all partitions
 * assigned, no consumer group, so each instance sees every event) and passes each change to the connected
 * analysts whose subscriptions cover the alert's topic and rule set.
 */
@ApplicationScoped
public class AlertStream {

    private static final Logger LOG = Logger.getLogger(AlertStream.class);

    private final Map<Long, Set<MultiEmitter<? super Map<String, Object>>>> listeners = new ConcurrentHashMap<>();
    private final Db db;
    private final boolean enabled;
    /** The service's kafka.* client settings (address, security). */
    private final Map<String, Object> kafka;
    private volatile boolean running;
    private volatile boolean positioned;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    AlertStream(Db db, AlertingConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.db = db;
        this.enabled = config.api().streamEnabled();
        this.kafka = kafka;
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "alerting-alert-stream");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        listeners.values().forEach(set -> set.forEach(MultiEmitter::complete));
        if (thread != null) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    /** True once the feed reads alert.events (changes published before that are not streamed). */
    public boolean positioned() {
        return positioned;
    }

    /** The changes of the alerts {@code analystId} may see, from now on, until the client goes away. */
    public Multi<Map<String, Object>> changesFor(long analystId) {
        return Multi.createFrom().emitter(emitter -> {
            listeners.computeIfAbsent(analystId, id -> new CopyOnWriteArraySet<>()).add(emitter);
            emitter.onTermination(() -> listeners.getOrDefault(analystId, Set.of()).remove(emitter));
        });
    }

    private void run() {
        Properties props = KafkaClientSettings.consumer(kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "finsent-alerting-stream");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            List<TopicPartition> partitions = c.partitionsFor(Topics.ALERT_EVENTS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(partitions);
            c.seekToEnd(partitions);
            partitions.forEach(c::position); // resolve the end offsets now, so later events are all seen
            positioned = true;
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : c.poll(Duration.ofMillis(500))) {
                    deliver(record);
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.error("the alert stream feed stopped; GET /v1/alerts/stream gets no more changes until a restart", e);
        } finally {
            consumer = null;
        }
    }

    private void deliver(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null || listeners.values().stream().allMatch(Set::isEmpty)) {
            return;
        }
        AlertEvent event;
        try {
            event = Topics.ALERT_EVENTS.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            LOG.warnf("skipping an unreadable alert event at %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
            return;
        }
        Set<Long> allowed = new HashSet<>();
        try {
            Long[] connected = listeners.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toArray(Long[]::new);
            for (Map<String, Object> row : db.list("SELECT DISTINCT s.analyst_id FROM subscription s WHERE s.deleted_at IS NULL"
                    + " AND (s.topic = ? OR s.topic = '*') AND s.rule_set = ? AND s.analyst_id::text = ANY (?)",
                    event.getTopic(), event.getRuleSet(), toTextArray(connected))) {
                allowed.add(((Number) row.get("analyst_id")).longValue());
            }
        } catch (SQLException e) {
            LOG.warnf("alert event %s not streamed: PostgreSQL: %s", event.getAlertId(), e.getMessage());
            return;
        }
        Map<String, Object> view = view(event);
        for (Long analyst : allowed) {
            listeners.getOrDefault(analyst, Set.of()).forEach(emitter -> emitter.emit(view));
        }
    }

    private static String[] toTextArray(Long[] ids) {
        String[] text = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            text[i] = ids[i].toString();
        }
        return text;
    }

    static Map<String, Object> view(AlertEvent e) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("alert_id", e.getAlertId());
        v.put("run_id", e.getRunId());
        v.put("rule_set", e.getRuleSet());
        v.put("rule", e.getRule());
        v.put("topic", e.getTopic());
        v.put("severity", e.getSeverity().name());
        v.put("state", e.getState().name());
        v.put("window_start", e.getWindowStart().toString());
        v.put("window_size_ms", e.getWindowSizeMs());
        v.put("event_time", e.getEventTime().toString());
        v.put("observed", e.getObserved());
        v.put("baseline", e.getBaseline());
        v.put("threshold", e.getThreshold());
        v.put("message", e.getMessage());
        return v;
    }
}
