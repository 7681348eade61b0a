package io.finsent.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.finsent.alerting.trends.EndOfInput;
import io.finsent.common.KafkaConnection;
import io.finsent.common.TopicCreation;

/** The few Kafka admin and consumer calls a replay needs, with errors that say what to do. */
final class Kafka {

    private static final long TIMEOUT_S = 30;
    /** Admin calls fail within this when the broker does not answer, so a replay or a deletion reports it instead of hanging. */
    private static final int ADMIN_TIMEOUT_MS = 15_000;

    private Kafka() {
    }

    static <T> T get(KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplayCancelledException("interrupted while " + what);
        } catch (ExecutionException e) {
            throw new ReplayException("Kafka refused " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new ReplayException("Kafka did not answer within " + TIMEOUT_S + " s while " + what, e);
        }
    }

    static Admin admin(KafkaConnection kafka) {
        return Admin.create(adminConfig(kafka));
    }

    static Map<String, Object> adminConfig(KafkaConnection kafka) {
        Map<String, Object> config = kafka.admin();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ADMIN_TIMEOUT_MS);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ADMIN_TIMEOUT_MS);
        return config;
    }

    static void checkReachable(Admin admin, String bootstrap) {
        try {
            admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplayCancelledException("interrupted while connecting to Kafka");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException || e.getCause() instanceof AuthorizationException) {
                throw new ReplayException("Kafka at " + bootstrap + " refused this client: " + e.getCause().getMessage()
                        + "; check its client settings (--kafka-config)", e.getCause());
            }
            throw unreachable(bootstrap);
        } catch (TimeoutException e) {
            throw unreachable(bootstrap);
        }
    }

    private static ReplayException unreachable(String bootstrap) {
        return new ReplayException("no Kafka broker answers at " + bootstrap + ": start the stack with ./monitor up, or pass"
                + " --bootstrap-servers HOST:PORT");
    }

    static boolean exists(Admin admin, String topic) {
        return get(admin.listTopics().names(), "listing topics").contains(topic);
    }

    static Set<String> topics(Admin admin) {
        return get(admin.listTopics().names(), "listing topics");
    }

    static int partitionsOf(Admin admin, String topic, int fallback) {
        try {
            Map<String, TopicDescription> d = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS);
            return d.get(topic).partitions().size();
        } catch (ExecutionException | TimeoutException e) {
            return fallback;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplayCancelledException("interrupted while describing " + topic);
        }
    }

    /** Creates the topics that do not exist yet and returns once every partition's leader serves writes ({@link TopicCreation}). */
    static void create(Admin admin, Collection<NewTopic> topics) {
        try {
            TopicCreation.createAndAwait(admin, topics, Duration.ofSeconds(TIMEOUT_S));
        } catch (TopicCreation.TopicCreationException e) {
            throw new ReplayException(e.getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplayCancelledException("interrupted while creating topics");
        }
    }

    /** The group's committed offsets; empty for an unknown group. */
    static Map<TopicPartition, Long> committed(Admin admin, String group) {
        Map<TopicPartition, OffsetAndMetadata> offsets;
        try {
            offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw new ReplayException("cannot read the offsets of group " + group + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new ReplayException("Kafka did not give the offsets of group " + group + " within " + TIMEOUT_S + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplayCancelledException("interrupted while reading offsets");
        }
        Map<TopicPartition, Long> result = new HashMap<>();
        offsets.forEach((tp, om) -> {
            if (om != null) {
                result.put(tp, om.offset());
            }
        });
        return result;
    }

    static void setCommitted(Admin admin, String group, Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        offsets.forEach((tp, offset) -> commits.put(tp, new OffsetAndMetadata(offset)));
        get(admin.alterConsumerGroupOffsets(group, commits).all(), "setting the start offsets of group " + group);
    }

    static KafkaConsumer<byte[], byte[]> consumer(KafkaConnection kafka) {
        return new KafkaConsumer<>(consumerConfig(kafka), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static Map<String, Object> consumerConfig(KafkaConnection kafka) {
        Map<String, Object> config = kafka.consumer();
        config.putAll(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000));
        return config;
    }

    static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(TIMEOUT_S));
        if (infos == null || infos.isEmpty()) {
            throw new ReplayException("topic " + topic + " does not exist");
        }
        return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    /** Calls {@code action} with every committed record of the topic, from its first offset to its end offsets when called. */
    static void readAll(KafkaConnection kafka, String topic, Consumer<ConsumerRecord<byte[], byte[]>> action) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(action);
            }
        }
    }

    /** Per partition, the first offset whose record timestamp is at or after {@code at} (the end offset when there is none). */
    static Map<TopicPartition, Long> offsetsAt(KafkaConnection kafka, String topic, Instant at) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(tp -> query.put(tp, at.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, Duration.ofSeconds(TIMEOUT_S));
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(TIMEOUT_S));
            Map<TopicPartition, Long> result = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp o = found.get(tp);
                result.put(tp, o == null ? ends.get(tp) : o.offset());
            }
            return result;
        }
    }

    /** The end offsets (last stable offsets: committed transactions only) of every partition. */
    static Map<TopicPartition, Long> endOffsets(KafkaConnection kafka, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            return new HashMap<>(consumer.endOffsets(partitions(consumer, topic), Duration.ofSeconds(TIMEOUT_S)));
        }
    }

    /** One end-of-input marker to every partition of {@code topic}, at {@code timestamp}. */
    static void writeMarkers(KafkaConnection kafka, String topic, Instant timestamp) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(kafka), new StringSerializer(), new ByteArraySerializer())) {
            int partitions = producer.partitionsFor(topic).size();
            for (int p = 0; p < partitions; p++) {
                producer.send(new ProducerRecord<String, byte[]>(topic, p, timestamp.toEpochMilli(), EndOfInput.KEY, (byte[]) null));
            }
            producer.flush();
        }
    }

    /** An idempotent producer's config, for the markers and the staging of archive files. */
    static Map<String, Object> producerConfig(KafkaConnection kafka) {
        Map<String, Object> config = kafka.producer();
        config.putAll(Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
        return config;
    }

    /** Deletes topics, ignoring those already gone. */
    static void deleteTopics(Admin admin, Collection<String> topics) {
        if (topics.isEmpty()) {
            return;
        }
        try {
            admin.deleteTopics(topics).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw new ReplayException("cannot delete topics " + topics + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new ReplayException("Kafka did not delete topics " + topics + " within " + TIMEOUT_S + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplayCancelledException("interrupted while deleting topics");
        }
    }
}
