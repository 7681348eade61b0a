package io.finsent.local;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.jboss.logging.Logger;

import io.finsent.common.TopicCreation;

import io.finsent.schemas.TopicCatalogue;

/**
 * The embedded default stack: a KRaft Kafka broker and PostgreSQL on loopback, with the topics of the
 * catalogue created. Used by {@code ./monitor up} and by every integration test. Closing it stops
 * everything it started; a failure while starting stops what had started before it is thrown.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LocalStack.class);

    private final LocalStackConfig config;
    private final KafkaBroker kafka;
    private final LocalPostgres postgres;
    private final Thread shutdownHook;
    private final java.util.Deque<AutoCloseable> dependents = new java.util.ArrayDeque<>();
    private boolean stopped;

    private LocalStack(LocalStackConfig config, KafkaBroker kafka, LocalPostgres postgres) {
        this.config = config;
        this.kafka = kafka;
        this.postgres = postgres;
        this.shutdownHook = new Thread(this::stop, "local-stack-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static LocalStack start(LocalStackConfig config) {
        Path dataDir = Loopback.writableDirectory(config.dataDir());
        // Check both ports before starting either server, so a busy port costs nothing.
        Loopback.claim(config.kafkaPort(), "Kafka", "--kafka-port");
        Loopback.claim(config.postgresPort(), "PostgreSQL", "--postgres-port");
        KafkaBroker kafka = null;
        LocalPostgres postgres = null;
        try {
            kafka = KafkaBroker.start(dataDir.resolve("kafka"), config.kafkaPort(), config.controllerPort(), config.brokerHeap());
            postgres = LocalPostgres.start(dataDir.resolve("postgres"), config.postgresPort());
            if (config.createTopics()) {
                createTopics(kafka.bootstrapServers(), TopicCatalogue.load());
            }
            return new LocalStack(config, kafka, postgres);
        } catch (RuntimeException e) {
            if (postgres != null) {
                postgres.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            if (config.ephemeral()) {
                deleteRecursively(dataDir);
            }
            throw e;
        }
    }

    /** Creates every catalogue topic that does not exist yet, with its partitions and configs. */
    public static void createTopics(String bootstrapServers, TopicCatalogue catalogue) {
        List<NewTopic> topics = new ArrayList<>();
        for (TopicCatalogue.TopicSpec spec : catalogue.topics()) {
            topics.add(new NewTopic(spec.name(), spec.partitions(), (short) 1).configs(spec.configs()));
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            TopicCreation.createAndAwait(admin, topics, Duration.ofSeconds(30));
        } catch (TopicCreation.TopicCreationException e) {
            throw new LocalStackException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while creating topics");
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    public String jdbcUser() {
        return postgres.user();
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public LocalPostgres postgres() {
        return postgres;
    }

    public LocalStackConfig config() {
        return config;
    }

    /** Configuration for a service that runs on this stack, in Quarkus property names. */
    public Map<String, String> serviceConfig() {
        return Map.of(
                "kafka.bootstrap.servers", bootstrapServers(),
                "quarkus.kafka-streams.bootstrap-servers", bootstrapServers(),
                "quarkus.datasource.jdbc.url", jdbcUrl(),
                "quarkus.datasource.username", jdbcUser(),
                "quarkus.datasource.password", "");
    }

    /**
     * Something that uses the stack (a service) and must stop before it: closed, latest first, when the
     * stack stops, by {@link #close()} or by the shutdown hook on Ctrl-C.
     */
    public synchronized void stopBefore(AutoCloseable dependent) {
        dependents.push(dependent);
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down and running this hook
        }
    }

    private synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        while (!dependents.isEmpty()) {
            try {
                dependents.pop().close();
            } catch (Exception e) {
                LOG.warnf("could not stop a service: %s", e.getMessage());
            }
        }
        LOG.info("stopping the local stack");
        postgres.close();
        kafka.close();
        if (config.ephemeral()) {
            deleteRecursively(config.dataDir());
        }
    }

    /** Deletes a stopped stack's data directory, so the next start is empty. */
    public static void deleteData(Path dataDir) {
        deleteRecursively(dataDir);
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warnf("could not delete %s: %s", dir, e.getMessage());
        }
    }
}
