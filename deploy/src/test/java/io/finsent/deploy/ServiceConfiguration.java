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

/**
 * What one of our services (services/NAME) accepts as configuration, and so which environment variables name a
 * real key: keys of its application.properties (Kafka and Kafka Streams pass-through keys only reach the client
 * when listed there), keys of its {@code @ConfigMapping} interfaces (map keys included), and keys of the Quarkus
 * extensions its pom depends on.
 */
final class ServiceConfiguration {

    private final String name;
    private final Properties properties;
    private final Set<String> propertyKeys;
    private final Set<Pattern> mappingVariables;
    private final Set<String> extensionVariables;

    private ServiceConfiguration(String name, Properties properties, Set<String> mappingKeys, Set<String> extensions) {
        this.name = name;
        this.properties = properties;
        // Profile keys (%test.x) are not what a deployment sets.
        this.propertyKeys = properties.stringPropertyNames().stream().filter(k -> !k.startsWith("%")).collect(Collectors.toSet());
        this.mappingVariables = mappingKeys.stream().map(ServiceConfiguration::variablePattern).collect(Collectors.toSet());
        this.extensionVariables = QuarkusExtensionKeys.environmentVariablesOf(extensions);
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
                || extensionVariables.contains(variable);
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
