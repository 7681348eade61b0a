package io.finsent.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import picocli.CommandLine.Option;

/**
 * {@code --kafka-config FILE}: Kafka client settings for a secured cluster (SASL_SSL in production), as Kafka's own
 * tools take them with {@code --command-config}. A mixin, so every command that talks to Kafka reads it the same way.
 */
final class KafkaConfigOption {

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client settings (a properties file: security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.*"
                    + " ...) for a secured cluster; --bootstrap-servers wins over a bootstrap.servers in it.")
    Path file;

    /**
     * The file's settings; none without the option.
     *
     * @throws IllegalArgumentException when the file cannot be read or is no properties file
     */
    Map<String, String> settings() {
        if (file == null) {
            return Map.of();
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
        } catch (IOException | IllegalArgumentException e) { // IllegalArgumentException: a malformed unicode escape
            throw new IllegalArgumentException("cannot read --kafka-config " + file + ": "
                    + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()), e);
        }
        Map<String, String> settings = new HashMap<>();
        props.stringPropertyNames().forEach(name -> settings.put(name, props.getProperty(name)));
        return settings;
    }
}
