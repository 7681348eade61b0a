package io.finsent.common;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * A cluster's address and the client settings to reach it ({@link KafkaClientSettings}: security and the rest), for
 * tools that build their clients by hand from a {@code --bootstrap-servers} address and, say, a {@code --kafka-config}
 * file. Each method gives the settings a client of that kind knows plus the bootstrap address, as a new map the caller
 * adds its own keys to: the caller's keys win over the settings, and the address given here over one in the settings.
 *
 * @param settings client settings (e.g. {@code security.protocol}); keys no client of a kind knows are left out of its config
 */
public record KafkaConnection(String bootstrapServers, Map<String, ?> settings) {

    public KafkaConnection {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        settings = settings == null ? Map.of() : Collections.unmodifiableMap(new HashMap<>(settings));
    }

    /** A cluster reached with the default client settings (PLAINTEXT). */
    public static KafkaConnection to(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of());
    }

    public Map<String, Object> admin() {
        return withBootstrap(KafkaClientSettings.admin(settings));
    }

    public Map<String, Object> producer() {
        return withBootstrap(KafkaClientSettings.producer(settings));
    }

    public Map<String, Object> consumer() {
        return withBootstrap(KafkaClientSettings.known(settings, ConsumerConfig.configNames()));
    }

    public Map<String, Object> streams() {
        return withBootstrap(KafkaClientSettings.streams(settings));
    }

    private Map<String, Object> withBootstrap(Map<String, Object> config) {
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }

    /** Names the settings without their values: {@code sasl.jaas.config} holds a password. */
    @Override
    public String toString() {
        return "KafkaConnection[" + bootstrapServers + ", settings " + new java.util.TreeSet<>(settings.keySet()) + "]";
    }
}
