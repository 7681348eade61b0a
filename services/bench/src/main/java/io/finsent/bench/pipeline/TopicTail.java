package io.finsent.bench.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import io.finsent.common.Topics;

/**
 * Sees each record of a topic when it becomes visible to a read_committed consumer: it reads every partition from the
 * beginning with no group, and is positioned before the caller starts the work it watches, so no group join delays
 * what it sees. The listener gets each record's key and value and the nano time it was seen, on the tail's own thread.
 */
public final class TopicTail<V extends SpecificRecord> implements AutoCloseable {

    private final Topics.Topic<V> topic;
    private final Thread thread;
    private final CountDownLatch positioned = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    /** What the tail does with each record. */
    public interface Listener<V> {
        void record(String key, V value, long seenAtNanos);
    }

    public TopicTail(String bootstrapServers, Topics.Topic<V> topic, Listener<V> onRecord) throws InterruptedException {
        this.topic = topic;
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.thread = new Thread(() -> {
            try (var consumer = new KafkaConsumer<>(config, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                partitions.forEach(consumer::position);
                positioned.countDown();
                while (running) {
                    for (var record : consumer.poll(Duration.ofMillis(20))) {
                        onRecord.record(record.key(), record.value(), System.nanoTime());
                    }
                }
            } catch (RuntimeException e) {
                failure = e;
                positioned.countDown();
            }
        }, "bench-tail-" + topic.name());
        thread.setDaemon(true);
        thread.start();
        if (!positioned.await(1, TimeUnit.MINUTES) || failure != null) {
            throw new IllegalStateException("cannot read " + topic.name(), failure);
        }
    }

    /** Throws if reading failed. */
    public void check() {
        if (failure != null) {
            throw new IllegalStateException("reading " + topic.name() + " failed", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
