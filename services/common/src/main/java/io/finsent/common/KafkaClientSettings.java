package io.finsent.common;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

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

    private static Map<String, Object> known(Map<String, ?> settings, Set<String> names) {
        Map<String, Object> known = new HashMap<>();
        settings.forEach((key, value) -> {
            if (names.contains(key) && value != null && !value.toString().isEmpty()) {
                known.put(key, value);
            }
        });
        return known;
    }
}
