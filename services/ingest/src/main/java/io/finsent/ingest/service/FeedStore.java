package io.finsent.ingest.service;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import io.finsent.common.KafkaClientSettings;
import io.finsent.common.Topics;
import io.finsent.schema.FeedDefinition;

/**
 * The feed list kept in Kafka ({@code feed.config}, compacted; key: the feed id), so that feeds added over the API
 * survive restarts of ingest and of {@code ./monitor up}: written (and acknowledged) before a change takes effect,
 * read whole at start. A record that does not decode is skipped with a warning, never fatal.
 */
final class FeedStore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FeedStore.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    /** The feed list could not be written: the change did not take effect. */
    static final class FeedStoreException extends Exception {
        FeedStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Map<String, Object> kafka;
    private final KafkaProducer<String, FeedDefinition> producer;
    private final Clock clock;

    FeedStore(Map<String, Object> kafka, Clock clock) {
        this.kafka = kafka;
        this.clock = clock;
        this.producer = new KafkaProducer<>(RawTextPublisher.producerSettings(kafka), Topics.FEED_CONFIG.keySerde().serializer(), Topics.FEED_CONFIG.valueSerde().serializer());
    }

    /** Writes a feed's definition under its id; returns once Kafka acknowledged it. */
    void save(String id, FeedSpec spec) throws FeedStoreException, InterruptedException {
        FeedDefinition definition = FeedDefinition.newBuilder().setUrl(spec.url()).setIntervalSeconds(spec.interval() == null ? null : spec.interval().toSeconds())
                .setTickers(List.copyOf(spec.tickers())).setName(spec.name()).setUpdatedAt(clock.instant()).build();
        send(id, definition);
    }

    /** Removes a feed (a tombstone); returns once Kafka acknowledged it. */
    void delete(String id) throws FeedStoreException, InterruptedException {
        send(id, null);
    }

    private void send(String id, FeedDefinition definition) throws FeedStoreException, InterruptedException {
        try {
            producer.send(new ProducerRecord<>(Topics.FEED_CONFIG.name(), id, definition)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new FeedStoreException("the feed list could not be written to " + Topics.FEED_CONFIG.name() + " (" + cause.getMessage()
                    + "); nothing changed, try again", cause);
        }
    }

    /** Every stored feed by id, the latest definition of each (tombstones remove); empty when the topic cannot be read in time. */
    Map<String, FeedSpec> load() {
        Properties props = KafkaClientSettings.consumer(kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, FeedSpec> feeds = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.FEED_CONFIG.name(), TIMEOUT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    LOG.warnf("reading the feed list from %s took longer than %d s; %d feeds read", Topics.FEED_CONFIG.name(), TIMEOUT.toSeconds(), feeds.size());
                    return feeds;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    apply(feeds, record);
                }
            }
        } catch (KafkaException e) {
            LOG.warnf("cannot read the feed list from %s (%s): feeds added over the API are not polled until the next start",
                    Topics.FEED_CONFIG.name(), e.getMessage());
        }
        return feeds;
    }

    private static void apply(Map<String, FeedSpec> feeds, ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            feeds.remove(record.key());
            return;
        }
        try {
            FeedDefinition d = Topics.FEED_CONFIG.valueSerde().deserializer().deserialize(record.topic(), record.value());
            feeds.put(record.key(), new FeedSpec(d.getUrl(), d.getIntervalSeconds() == null ? null : Duration.ofSeconds(d.getIntervalSeconds()),
                    d.getTickers(), d.getName()));
        } catch (RuntimeException e) {
            LOG.warnf("skipping record %d of %s (feed %s): it does not decode as a FeedDefinition (%s)", record.offset(), record.topic(), record.key(),
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
