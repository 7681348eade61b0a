package io.finsent.common;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The client settings a service was configured with (its {@code kafka.*} keys, e.g. {@code kafka.security.protocol},
 * {@code kafka.sasl.jaas.config} or, from the environment, {@code KAFKA_SSL_TRUSTSTORE_LOCATION}), narrowed to what a
 * producer or a consumer knows: every client a service builds by hand then connects the way its Kafka Streams
 * application does (SASL_SSL and the rest), and none logs warnings about keys meant for another client.
 *
 * <p>In a Quarkus service the settings are the {@code @Identifier("default-kafka-broker") Map<String, Object>} bean of
 * quarkus-kafka-client, which holds every {@code kafka.*} property with the prefix removed. It also holds the
 * {@code kafka-streams.*} keys under a {@code streams.} prefix: those are dropped here, as no client knows them.
 */
public final class KafkaClientSettings {

    private KafkaClientSettings() {
    }

    /** The producer settings among {@code settings}, as a new map the caller may add to. */
    public static Map<String, Object> producer(Map<String, ?> settings) {
        return known(settings, ProducerConfig.configNames());
    }

    /** The consumer settings among {@code settings}, as new properties the caller may add to. */
    public static Properties consumer(Map<String, ?> settings) {
        Properties props = new Properties();
        props.putAll(known(settings, ConsumerConfig.configNames()));
        return props;
    }

    /** The admin client settings among {@code settings}, as a new map the caller may add to. */
    public static Map<String, Object> admin(Map<String, ?> settings) {
        return known(settings, AdminClientConfig.configNames());
    }

    /**
     * The Kafka Streams settings among {@code settings}, as a new map the caller may add to: its own and the connection
     * and security settings every client shares (the admin client's names). StreamsConfig does not name the SASL and
     * SSL keys: it hands keys it does not know to its clients. Producer- or consumer-only keys stay out, as Streams
     * sets those it needs (exactly-once: acks, isolation.level) itself.
     */
    public static Map<String, Object> streams(Map<String, ?> settings) {
        return known(settings, StreamsNames.ALL);
    }

    /**
     * Kafka Streams is an optional dependency of this module (ingest has no Streams app): its names load with the
     * first {@link #streams} call only, so producers, consumers and admins work without it.
     */
    private static final class StreamsNames {
        static final Set<String> ALL = names();

        private static Set<String> names() {
            Set<String> names = new HashSet<>(StreamsConfig.configDef().names());
            names.addAll(AdminClientConfig.configNames());
            return Set.copyOf(names);
        }
    }

    static Map<String, Object> known(Map<String, ?> settings, Set<String> names) {
        Map<String, Object> known = new HashMap<>();
        settings.forEach((key, value) -> {
            if (names.contains(key) && value != null && !value.toString().isEmpty()) {
                known.put(key, value);
            }
        });
        return known;
    }
}
