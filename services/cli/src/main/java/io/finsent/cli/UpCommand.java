package io.finsent.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.finsent.local.LocalStack;
import io.finsent.local.LocalStackConfig;
import io.finsent.local.LocalStackException;
import io.finsent.schemas.TopicCatalogue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./monitor up}: the embedded stack and every service, in the foreground, until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Starts the embedded stack (a KRaft Kafka broker and PostgreSQL on loopback, no Docker),",
                "creates the topics of the catalogue, starts the services, and stops all of it on Ctrl-C."})
final class UpCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", defaultValue = ".data", description = "Where the broker and the database keep their data (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Kafka's port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 for any free port).")
    int kafkaPort;

    @Option(names = "--postgres-port", defaultValue = "5432", description = "PostgreSQL's port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 for any free port).")
    int postgresPort;

    @Option(names = "--fresh", description = "Delete the data directory first and start empty.")
    boolean fresh;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long started = System.nanoTime();
        if (fresh) {
            LocalStack.deleteData(dataDir);
        }
        out.printf("Starting the embedded stack in %s ...%n", dataDir.toAbsolutePath());
        out.flush();
        LocalStack stack;
        try {
            stack = LocalStack.start(LocalStackConfig.persistent(dataDir).withPorts(kafkaPort, postgresPort));
        } catch (LocalStackException e) {
            err.println("monitor up: " + e.getMessage());
            return 1;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        out.printf("%nUp in %.1f s:%n", took.toMillis() / 1000.0);
        out.printf("  %-12s %s (KRaft, pid %d)%n", "Kafka", stack.bootstrapServers(), stack.kafka().pid());
        out.printf("  %-12s %s (user %s)%n", "PostgreSQL", stack.jdbcUrl(), stack.jdbcUser());
        out.printf("  %-12s %s%n", "Topics", String.join(", ", TopicCatalogue.load().topics().stream().map(TopicCatalogue.TopicSpec::name).toList()));
        out.printf("  %-12s %s%n", "Services", "none yet: ingest, scorer and alerting join here as they land");
        out.printf("%nPress Ctrl-C to stop everything.%n");
        out.flush();
        // The stack's shutdown hook stops the broker and the database when Ctrl-C ends the JVM.
        new CountDownLatch(1).await();
        return 0;
    }
}
