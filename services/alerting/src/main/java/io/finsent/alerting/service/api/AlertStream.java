package io.finsent.alerting.service.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.jboss.logging.Logger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.finsent.common.ConsumerLoop;
import io.finsent.common.KafkaClientSettings;
import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.store.SubscriptionTable;
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
 * analysts whose subscriptions cover the alert's topic and rule set, and to every connected admin. Each change carries
 * the alert's evidence as of that change ({@link AlertEvidence#brief()}); a change whose texts are not all stored yet waits
 * for them, at most {@code alerting.texts.evidence-wait}, and the later changes of the same alert wait behind it, so an
 * alert's changes stay in order (other alerts' go on).
 */
@ApplicationScoped
public class AlertStream {

    private static final Logger LOG = Logger.getLogger(AlertStream.class);

    private final Map<Long, Set<MultiEmitter<? super AlertChange>>> listeners = new ConcurrentHashMap<>();
    /** Admins' connections: they get every change. */
    private final Set<MultiEmitter<? super AlertChange>> everything = new CopyOnWriteArraySet<>();
    private final SubscriptionTable subscriptions;
    private final AlertEvidence.Tables evidence;
    /** Changes read but not sent yet, oldest first (the feed's thread only). */
    private final Deque<Waiting> waiting = new ArrayDeque<>();
    private final Duration evidenceWait;
    private final boolean textsStored;
    private final boolean enabled;
    /** The service's kafka.* client settings (address, security). */
    private final Map<String, Object> kafka;
    private volatile boolean positioned;
    private volatile ConsumerLoop loop;

    AlertStream(Jdbi jdbi, AlertingConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.subscriptions = jdbi.onDemand(SubscriptionTable.class);
        this.evidence = AlertEvidence.Tables.onDemand(jdbi);
        this.evidenceWait = config.texts().evidenceWait();
        this.textsStored = config.texts().enabled();
        this.enabled = config.api().streamEnabled();
        this.kafka = kafka;
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        Properties props = KafkaClientSettings.consumer(kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "finsent-alerting-stream");
        loop = new ConsumerLoop("alerting-alert-stream", "GET /v1/alerts/stream gets no more changes until a restart", props, this::run);
        loop.start(true);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        ConsumerLoop l = loop;
        listeners.values().forEach(set -> set.forEach(MultiEmitter::complete));
        everything.forEach(MultiEmitter::complete);
        if (l != null) {
            l.stop(Duration.ofSeconds(10));
        }
    }

    /** True once the feed reads alert.events (changes published before that are not streamed). */
    public boolean positioned() {
        return positioned;
    }

    /**
     * The changes of the alerts analyst {@code analystId} may see (every change for null: an admin), from now on, until the
     * client goes away.
     */
    public Multi<AlertChange> changesFor(Long analystId) {
        return Multi.createFrom().emitter(emitter -> {
            Set<MultiEmitter<? super AlertChange>> set = analystId == null ? everything
                    : listeners.computeIfAbsent(analystId, id -> new CopyOnWriteArraySet<>());
            set.add(emitter);
            emitter.onTermination(() -> set.remove(emitter));
        });
    }

    /** The feed: from the end of alert.events on, each change to the listeners allowed to see it (on its own thread, ConsumerLoop). */
    private void run(KafkaConsumer<byte[], byte[]> c) {
        List<TopicPartition> partitions = c.partitionsFor(Topics.ALERT_EVENTS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        c.assign(partitions);
        c.seekToEnd(partitions);
        partitions.forEach(c::position); // resolve the end offsets now, so later events are all seen
        positioned = true;
        while (loop.running()) {
            for (ConsumerRecord<byte[], byte[]> record : c.poll(Duration.ofMillis(500))) {
                read(record);
            }
            sendReady();
        }
    }

    /** A change read, waiting for its evidence until {@code deadline} (wall clock). */
    private record Waiting(AlertEvent event, Instant deadline) {
    }

    private void read(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null || nobodyListens()) {
            return;
        }
        try {
            AlertEvent event = Topics.ALERT_EVENTS.valueSerde().deserializer().deserialize(record.topic(), record.value());
            waiting.add(new Waiting(event, Instant.now().plus(evidenceWait)));
        } catch (SerializationException e) {
            LOG.warnf("skipping an unreadable alert event at %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
        }
    }

    private boolean nobodyListens() {
        return everything.isEmpty() && listeners.values().stream().allMatch(Set::isEmpty);
    }

    /**
     * Sends the waiting changes whose evidence is complete (or whose wait is over), oldest first; a change waits behind an
     * earlier one of the same alert only, so one alert's missing texts hold up no other alert.
     */
    private void sendReady() {
        Set<String> held = new HashSet<>();
        for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
            Waiting next = it.next();
            String alertId = next.event().getAlertId();
            if (held.contains(alertId)) {
                continue;
            }
            Optional<AlertEvidence.Brief> brief = evidenceOf(next);
            if (brief == null) {
                held.add(alertId);
                continue;
            }
            it.remove();
            if (!nobodyListens()) {
                deliver(next.event(), brief.orElse(null));
            }
        }
    }

    /** The change's evidence in brief (empty: none to show), or null while it should wait for texts still to be stored. */
    private Optional<AlertEvidence.Brief> evidenceOf(Waiting w) {
        boolean late = !Instant.now().isBefore(w.deadline());
        AlertEvent e = w.event();
        try {
            Optional<AlertEvidence> found = AlertEvidence.ofAlert(evidence, e.getAlertId(), e.getEventTime(), AlertEvidence.BRIEF_TEXTS);
            if (found.isPresent() && !found.get().complete() && textsStored && !late) {
                return null;
            }
            return found.map(AlertEvidence::brief);
        } catch (JdbiException ex) {
            if (!late) {
                return null;
            }
            LOG.warnf("alert event %s streamed without evidence: PostgreSQL: %s", e.getAlertId(), ex.getMessage());
            return Optional.empty();
        } catch (RuntimeException ex) {
            // never stop the stream over one change's evidence
            LOG.warnf(ex, "alert event %s streamed without evidence", e.getAlertId());
            return Optional.empty();
        }
    }

    private void deliver(AlertEvent event, AlertEvidence.Brief brief) {
        AlertChange change = AlertChange.of(event, brief);
        everything.forEach(emitter -> emitter.emit(change));
        List<Long> allowed;
        try {
            Long[] connected = listeners.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toArray(Long[]::new);
            allowed = subscriptions.subscribersAmong(event.getTopic(), event.getRuleSet(), connected);
        } catch (JdbiException e) {
            LOG.warnf("alert event %s not streamed: PostgreSQL: %s", event.getAlertId(), e.getMessage());
            return;
        }
        for (Long analyst : allowed) {
            listeners.getOrDefault(analyst, Set.of()).forEach(emitter -> emitter.emit(change));
        }
    }

    /** One change of an alert as the stream sends it (times are event times), with its evidence (null if none could be read). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record AlertChange(String alertId, String runId, String ruleSet, String rule, String topic, String severity, String state,
                              Instant windowStart, long windowSizeMs, Instant eventTime, double observed, double baseline, double threshold,
                              String message, AlertEvidence.Brief evidence) {

        static AlertChange of(AlertEvent e, AlertEvidence.Brief evidence) {
            return new AlertChange(e.getAlertId(), e.getRunId(), e.getRuleSet(), e.getRule(), e.getTopic(), e.getSeverity().name(),
                    e.getState().name(), e.getWindowStart(), e.getWindowSizeMs(), e.getEventTime(), e.getObserved(), e.getBaseline(),
                    e.getThreshold(), e.getMessage(), evidence);
        }
    }
}
