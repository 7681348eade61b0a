package io.finsent.local;

import java.nio.file.Path;

/**
 * Where the embedded stack keeps its data and which loopback ports it takes. A port of 0 means any
 * free port. {@code ephemeral} stacks delete their data directory when they stop (tests);
 * others keep it, so {@code ./monitor up} resumes where it stopped.
 *
 * @param brokerHeap {@code -Xmx} of the broker's JVM, e.g. {@code 512m}
 */
public record LocalStackConfig(Path dataDir, int kafkaPort, int controllerPort, int postgresPort,
                               String brokerHeap, boolean ephemeral, boolean createTopics) {

    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final int DEFAULT_POSTGRES_PORT = 5432;
    public static final String DATABASE = "finsent";

    /** The defaults of {@code ./monitor up}: a persistent data directory and the usual ports. */
    public static LocalStackConfig persistent(Path dataDir) {
        return new LocalStackConfig(dataDir, DEFAULT_KAFKA_PORT, 0, DEFAULT_POSTGRES_PORT, "768m", false, true);
    }

    /** A throw-away stack on free ports, for tests. */
    public static LocalStackConfig ephemeral(Path dataDir) {
        return new LocalStackConfig(dataDir, 0, 0, 0, "512m", true, true);
    }

    public LocalStackConfig withPorts(int kafka, int postgres) {
        return new LocalStackConfig(dataDir, kafka, controllerPort, postgres, brokerHeap, ephemeral, createTopics);
    }

    public LocalStackConfig withBrokerHeap(String heap) {
        return new LocalStackConfig(dataDir, kafkaPort, controllerPort, postgresPort, heap, ephemeral, createTopics);
    }
}
