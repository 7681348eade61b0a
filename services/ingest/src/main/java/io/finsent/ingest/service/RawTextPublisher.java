package io.finsent.ingest.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import io.finsent.common.KafkaClientSettings;
import io.finsent.common.Topics;
import io.finsent.ingest.DeadLetters;
import io.finsent.ingest.DeduplicationHorizon;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Publishes items to {@code text.raw} (key: the item id; timestamp: the publication time) with an
 * idempotent, acks=all producer, once per id within the de-duplication horizon, and dead letters to
 * {@code text.dlq}. Counts what is in flight, so the push API can answer 429 before the producer's
 * buffer fills.
 */
@ApplicationScoped
public class RawTextPublisher {

    private static final Logger LOG = Logger.getLogger(RawTextPublisher.class);

    /** What became of one item. */
    public enum Outcome { PUBLISHED, DUPLICATE }

    private final KafkaProducer<String, RawText> items;
    private final KafkaProducer<String, DeadLetter> deadLetters;
    private final DeduplicationHorizon horizon;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final MeterRegistry metrics;
    private final Clock clock = Clock.systemUTC();
    /** The service's kafka.* client settings (address, security). */
    private final Map<String, Object> kafka;
    private final int maxIds;
    /** The newest publication time of a demo item among the records read at start (null: none, or not read yet). */
    private volatile Instant latestDemoAtStart;
    private volatile boolean seeded;

    RawTextPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafka, IngestConfig config, MeterRegistry metrics) {
        this.metrics = metrics;
        this.kafka = kafka;
        this.maxIds = config.dedup().maxIds();
        this.horizon = new DeduplicationHorizon(config.dedup().maxIds(), config.dedup().horizon(), clock);
        Map<String, Object> props = producerSettings(kafka);
        this.items = new KafkaProducer<>(props, Topics.RAW_TEXT.keySerde().serializer(), Topics.RAW_TEXT.valueSerde().serializer());
        this.deadLetters = new KafkaProducer<>(props, Topics.DEAD_LETTERS.keySerde().serializer(), Topics.DEAD_LETTERS.valueSerde().serializer());
        // Every counter exists from the start, at 0, so that a rule on it (e.g. on dead letters) sees its first increase.
        for (SourceKind kind : SourceKind.values()) {
            metrics.counter("ingest.items.published", "kind", kind.name());
            metrics.counter("ingest.items.duplicates", "kind", kind.name());
        }
        for (String stage : List.of(DeadLetters.STAGE_PUSH, DeadLetters.STAGE_FEED)) {
            metrics.counter("ingest.dead.letters", "stage", stage);
        }
    }

    /**
     * The settings of ingest's producers (items, dead letters, the feed list): idempotent, acks=all, and a request thread
     * never blocks long on a broker that is away (the push API answers 503 instead).
     */
    static Map<String, Object> producerSettings(Map<String, Object> kafka) {
        Map<String, Object> props = KafkaClientSettings.producer(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        return props;
    }

    void onStart(@Observes StartupEvent start) {
        seedFromRawTopic(Duration.ofSeconds(30));
    }

    /**
     * Fills the de-duplication horizon with the keys of the newest records of {@code text.raw} (at most
     * {@code ingest.dedup.max-ids} of them, spread over the partitions), so a restarted service does not
     * publish again what a feed or a client re-sends. A broker that does not answer in time leaves the
     * horizon as it is, with a warning: the service still starts.
     */
    public int seedFromRawTopic(Duration timeout) {
        try {
            return seed(timeout);
        } finally {
            seeded = true;
        }
    }

    /** Whether the start-up read of {@code text.raw} is over (done, timed out or failed). */
    boolean seeded() {
        return seeded;
    }

    /**
     * The newest publication time of a demo item (source kind DEMO) among the records of {@code text.raw} read at start, if
     * any: where a restarted demo source picks up, so that it never publishes a second stream over minutes the first filled.
     */
    Optional<Instant> latestDemoAtStart() {
        return Optional.ofNullable(latestDemoAtStart);
    }

    private int seed(Duration timeout) {
        Properties props = KafkaClientSettings.consumer(kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        long deadline = System.nanoTime() + timeout.toNanos();
        int seeded = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.RAW_TEXT.name(), timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions, timeout);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            long perPartition = Math.max(1, maxIds / Math.max(1, partitions.size()));
            for (TopicPartition tp : partitions) {
                consumer.seek(tp, Math.max(begins.get(tp), ends.get(tp) - perPartition));
            }
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    LOG.warnf("seeding the de-duplication horizon from %s took longer than %d s; %d ids seeded", Topics.RAW_TEXT.name(),
                            timeout.toSeconds(), seeded);
                    return seeded;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    noteDemoItem(record);
                    if (record.key() != null && horizon.firstSeen(record.key())) {
                        seeded++;
                    }
                }
            }
            LOG.infof("de-duplication horizon seeded with %d ids from %s", seeded, Topics.RAW_TEXT.name());
        } catch (KafkaException e) {
            LOG.warnf("cannot seed the de-duplication horizon from %s (%s); items re-sent soon after this start may be published again",
                    Topics.RAW_TEXT.name(), e.getMessage());
        }
        return seeded;
    }

    private void noteDemoItem(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            RawText item = Topics.RAW_TEXT.valueSerde().deserializer().deserialize(record.topic(), record.value());
            if (item.getSourceKind() == SourceKind.DEMO && (latestDemoAtStart == null || item.getPublishedAt().isAfter(latestDemoAtStart))) {
                latestDemoAtStart = item.getPublishedAt();
            }
        } catch (SerializationException e) {
            // not ours to judge here: the scorer dead-letters what does not decode
        }
    }

    public int inFlight() {
        return inFlight.get();
    }

    public DeduplicationHorizon horizon() {
        return horizon;
    }

    /**
     * Reserves room for n items unless that would pass the limit while others are in flight (one batch
     * larger than the limit is the caller's to refuse). Each reserved item must then go to
     * {@link #publishReserved}.
     */
    public boolean tryReserve(int n, int limit) {
        while (true) {
            int current = inFlight.get();
            if (current > 0 && current + n > limit) {
                return false;
            }
            if (inFlight.compareAndSet(current, current + n)) {
                return true;
            }
        }
    }

    /**
     * Sends the item unless its id was published within the horizon. The future completes when the
     * broker acknowledged it; on failure the id is forgotten, so a retry by the sender publishes it.
     */
    public CompletableFuture<Outcome> publish(RawText item) {
        inFlight.incrementAndGet();
        return publishReserved(item);
    }

    /** {@link #publish} for an item whose room was reserved with {@link #tryReserve}. */
    public CompletableFuture<Outcome> publishReserved(RawText item) {
        if (!horizon.firstSeen(item.getId())) {
            inFlight.decrementAndGet();
            countDuplicate(item.getSourceKind());
            return CompletableFuture.completedFuture(Outcome.DUPLICATE);
        }
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        try {
            items.send(new ProducerRecord<>(Topics.RAW_TEXT.name(), null, item.getPublishedAt().toEpochMilli(), item.getId(), item), (meta, e) -> {
                inFlight.decrementAndGet();
                if (e == null) {
                    metrics.counter("ingest.items.published", "kind", item.getSourceKind().name()).increment();
                    done.complete(Outcome.PUBLISHED);
                } else {
                    horizon.forget(item.getId());
                    done.completeExceptionally(e);
                }
            });
        } catch (KafkaException e) {
            inFlight.decrementAndGet();
            horizon.forget(item.getId());
            done.completeExceptionally(e);
        }
        return done;
    }

    /** Counts an item not published because it was before, known here or by its source (a feed's memory of its document). */
    public void countDuplicate(SourceKind kind) {
        metrics.counter("ingest.items.duplicates", "kind", kind.name()).increment();
    }

    /** A dead letter of an ingest stage: fire and forget, but logged when even that fails. */
    public void deadLetter(String stage, String reason, String source, byte[] original) {
        DeadLetter letter = DeadLetters.of(stage, reason, source, original, clock.instant());
        String key = DeadLetters.keyOf(stage, original == null ? new byte[0] : original);
        metrics.counter("ingest.dead.letters", "stage", stage).increment();
        try {
            deadLetters.send(new ProducerRecord<>(Topics.DEAD_LETTERS.name(), key, letter), (meta, e) -> {
                if (e != null) {
                    LOG.errorf("could not write a dead letter (%s: %s from %s) to %s: %s", stage, reason, source, Topics.DEAD_LETTERS.name(), e.getMessage());
                }
            });
        } catch (KafkaException e) {
            LOG.errorf("could not write a dead letter (%s: %s from %s) to %s: %s", stage, reason, source, Topics.DEAD_LETTERS.name(), e.getMessage());
        }
    }

    @PreDestroy
    void close() {
        items.close(Duration.ofSeconds(10));
        deadLetters.close(Duration.ofSeconds(10));
    }
}
