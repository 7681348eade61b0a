package io.finsent.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * What one of our services (services/NAME) accepts as configuration, and so which environment variables name a
 * real key: keys of its application.properties (Kafka and Kafka Streams pass-through keys only reach the client
 * when listed there), keys of its {@code @ConfigMapping} interfaces (map keys included), keys of the Quarkus
 * extensions its pom depends on, and Kafka client settings {@code KAFKA_*} where it has quarkus-kafka-client.
 */
final class ServiceConfiguration {

    /** The extension whose default-kafka-broker configuration holds every kafka.* key (KAFKA_X_Y is x.y). */
    static final String KAFKA_CLIENT_EXTENSION = "quarkus-kafka-client";
    static final String KAFKA_STREAMS_EXTENSION = "quarkus-kafka-streams";

    /** KAFKA_ and a producer or consumer configuration of kafka-clients: KAFKA_SASL_JAAS_CONFIG is sasl.jaas.config. */
    private static final Set<String> KAFKA_CLIENT_VARIABLES = Stream.concat(ProducerConfig.configNames().stream(), ConsumerConfig.configNames().stream())
            .map(key -> "KAFKA_" + environmentNameOf(key)).collect(Collectors.toUnmodifiableSet());

    private final String name;
    private final Properties properties;
    private final Set<String> propertyKeys;
    private final Set<Pattern> mappingVariables;
    private final Set<String> extensionVariables;
    private final Set<String> extensions;
    private final Set<String> kafkaClientVariables;

    private ServiceConfiguration(String name, Properties properties, Set<String> mappingKeys, Set<String> extensions) {
        this.name = name;
        this.properties = properties;
        // Profile keys (%test.x) are not what a deployment sets.
        this.propertyKeys = properties.stringPropertyNames().stream().filter(k -> !k.startsWith("%")).collect(Collectors.toSet());
        this.mappingVariables = mappingKeys.stream().map(ServiceConfiguration::variablePattern).collect(Collectors.toSet());
        this.extensionVariables = QuarkusExtensionKeys.environmentVariablesOf(extensions);
        this.extensions = QuarkusExtensionKeys.closureOf(extensions);
        this.kafkaClientVariables = kafkaClientVariablesOf(this.extensions);
    }

    /**
     * The Kafka client settings a service takes from the environment: with quarkus-kafka-client (directly, as ingest
     * and alerting, or through quarkus-kafka-streams, as the scorer) every kafka.* key reaches the clients built
     * from its default-kafka-broker configuration, which keeps the keys a producer or consumer knows; without it none.
     */
    static Set<String> kafkaClientVariablesOf(Set<String> extensionClosure) {
        return extensionClosure.contains(KAFKA_CLIENT_EXTENSION) ? KAFKA_CLIENT_VARIABLES : Set.of();
    }

    /** The service of module services/NAME. */
    static ServiceConfiguration of(String name) {
        Path module = Yaml.ROOT.resolve("services").resolve(name);
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(module.resolve("src/main/resources/application.properties"))) {
            properties.load(in);
            String pom = Files.readString(module.resolve("pom.xml"));
            Set<String> extensions = Pattern.compile("<artifactId>(quarkus-[\\w-]+)</artifactId>").matcher(pom).results()
                    .map(m -> m.group(1)).filter(a -> !a.endsWith("-plugin")).collect(Collectors.toSet());
            return new ServiceConfiguration(name, properties, ConfigMappingSource.keysOf(module), extensions);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the configuration of services/" + name, e);
        }
    }

    String name() {
        return name;
    }

    /** Whether an environment variable names a configuration key of this service. */
    boolean accepts(String variable) {
        return propertyKeys.stream().anyMatch(key -> environmentNameOf(key).equals(variable))
                || mappingVariables.stream().anyMatch(p -> p.matcher(variable).matches())
                || extensionVariables.contains(variable)
                || kafkaClientVariables.contains(variable);
    }

    /** Whether the service has a Quarkus extension, directly or through another. */
    boolean hasExtension(String artifact) {
        return extensions.contains(artifact);
    }

    /** A value of application.properties (no profile), or an error naming the missing key. */
    String property(String key) {
        String value = properties.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("services/" + name + " has no " + key + " in application.properties");
        }
        return value;
    }

    int httpPort() {
        return Integer.parseInt(property("quarkus.http.port"));
    }

    /** The keys of application.properties that are not profile keys. */
    Set<String> propertyKeys() {
        return propertyKeys;
    }

    /** Whether a key is declared by one of the service's {@code @ConfigMapping} interfaces. */
    boolean mapped(String key) {
        return mappingVariables.stream().anyMatch(p -> p.matcher(environmentNameOf(key)).matches());
    }

    /** MicroProfile Config's rule: every character that is not a letter or digit becomes '_', then upper case. */
    static String environmentNameOf(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** A mapping key with * (a map key) as the pattern of its variables: ingest.clients.*.roles -> INGEST_CLIENTS_[A-Z0-9_]+_ROLES. */
    private static Pattern variablePattern(String mappingKey) {
        return Pattern.compile(java.util.Arrays.stream(mappingKey.split("\\*", -1))
                .map(part -> Pattern.quote(environmentNameOf(part))).collect(Collectors.joining("[A-Z0-9_]+")));
    }
}
