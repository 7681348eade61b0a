package io.finsent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.finsent.local.LocalStack;
import io.finsent.schemas.TopicCatalogue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./monitor up}: the embedded stack and every service, in the foreground, until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Starts the embedded stack and the services, and runs them until Ctrl-C.",
                "The stack is a KRaft Kafka broker and PostgreSQL on loopback, no Docker. It creates the topics of the catalogue, starts the services (scorer, alerting, ingest with the demo stream and its topics),",
                "and stops all of it on Ctrl-C."})
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

    @Option(names = "--scorer-port", defaultValue = "8082", description = "HTTP port of the scorer (health, metrics; default: ${DEFAULT-VALUE}).")
    int scorerPort;

    @Option(names = "--ingest-port", defaultValue = "8081", description = "HTTP port of the ingest service (push API, feeds; default: ${DEFAULT-VALUE}).")
    int ingestPort;

    @Option(names = "--no-demo", description = "Do not feed the synthetic demo stream into the pipeline.")
    boolean noDemo;

    @Mixin
    ModelOption model;

    @Option(names = "--alerting-port", defaultValue = "8083", description = "HTTP port of the alerting service (API, dashboard; default: ${DEFAULT-VALUE}).")
    int alertingPort;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long started = System.nanoTime();
        if (fresh) {
            LocalStack.deleteData(dataDir);
        }
        EmbeddedPipeline pipeline;
        try {
            pipeline = EmbeddedPipeline.start(new EmbeddedPipeline.Options(dataDir, kafkaPort, postgresPort, scorerPort, ingestPort, alertingPort,
                    model.dir(), noDemo ? null : Map.of(), Map.of(), Map.of()), out);
        } catch (IOException | IllegalStateException e) {
            err.println("monitor up: " + e.getMessage());
            return 1;
        }
        String analystKey;
        try {
            analystKey = DemoAnalyst.ensure(dataDir, pipeline.service("alerting").url(), pipeline.adminKey());
        } catch (IOException e) {
            err.println("monitor up: " + e.getMessage());
            pipeline.close();
            return 1;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        LocalStack stack = pipeline.stack();
        out.printf("%nUp in %.1f s:%n", took.toMillis() / 1000.0);
        out.printf("  %-12s %s (KRaft, pid %d)%n", "Kafka", stack.bootstrapServers(), stack.kafka().pid());
        out.printf("  %-12s %s (user %s)%n", "PostgreSQL", stack.jdbcUrl(), stack.jdbcUser());
        out.printf("  %-12s %s%n", "Topics", String.join(", ", TopicCatalogue.load().topics().stream().map(TopicCatalogue.TopicSpec::name).toList()));
        for (ServiceProcess service : pipeline.services()) {
            out.printf("  %-12s %s (pid %d; health %s/q/health, metrics %s/q/metrics; log %s)%n", service.name(), service.url(),
                    service.pid(), service.url(), service.url(), service.log());
        }
        out.printf("  %-12s %s/ (admin API key in %s)%n", "Dashboard", pipeline.service("alerting").url(), dataDir.resolve(EmbeddedPipeline.ADMIN_KEY_FILE));
        out.printf("  %-12s open %s/ and paste the demo analyst's key (subscribed to every topic; also in %s):%n  %-12s %s%n", "Sign in",
                pipeline.service("alerting").url(), dataDir.resolve(DemoAnalyst.ANALYST_KEY_FILE), "", analystKey);
        out.printf("  %-12s %s/v1/items and /v1/feeds with the ingest key (roles push and feeds; also in %s, where ./monitor push TEXT and"
                        + " ./monitor feeds add URL read it):%n  %-12s %s%n",
                "Push API", pipeline.service("ingest").url(), dataDir.resolve(EmbeddedPipeline.INGEST_KEY_FILE), "", pipeline.ingestKey());
        out.printf("  %-12s %s/v1/replays (the same admin API key)%n", "Replays", pipeline.service("scorer").url());
        out.printf("%nPress Ctrl-C to stop everything.%n");
        out.flush();
        // Shutdown hooks stop the services, the broker and the database when Ctrl-C ends the JVM; an interrupt (a caller
        // running this in-process) stops them too.
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            out.printf("Interrupted: stopping everything.%n");
            out.flush();
            pipeline.close();
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
