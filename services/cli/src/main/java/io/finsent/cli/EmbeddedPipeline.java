package io.finsent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.finsent.common.ApiKeyHash;
import io.finsent.local.LocalStack;
import io.finsent.local.LocalStackConfig;
import io.finsent.local.LocalStackException;

/**
 * The embedded stack (KRaft broker, PostgreSQL) and the three services as child processes, as
 * {@code ./monitor up} and {@code ./monitor demo} run them: the demo topics are published before the
 * scorer starts, so that no demo text is scored without them; services stop before the stack.
 */
final class EmbeddedPipeline implements AutoCloseable {

    /**
     * @param ports       HTTP ports of scorer, ingest and alerting (0: any free port)
     * @param demo        ingest's demo source settings (keys under {@code ingest.demo.}), or null for no demo
     * @param alerting    settings of the alerting service (keys under {@code alerting.}), e.g. the grace
     * @param ingest      settings of the ingest service (keys under {@code ingest.}, e.g. API clients), or null for no ingest
     */
    record Options(Path dataDir, int kafkaPort, int postgresPort, int scorerPort, int ingestPort, int alertingPort, Path model,
                   Map<String, String> demo, Map<String, String> alerting, Map<String, String> ingest) {
    }

    /** What runs on the stack before the services start (e.g. a backlog published to text.raw). */
    interface BeforeServices {
        void run(LocalStack stack) throws Exception;
    }

    /** The admin API key of the alerting service and the scorer's replay API, in the data directory. */
    static final String ADMIN_KEY_FILE = "admin.key";
    /** The API key of ingest's local client (roles push and feeds), in the data directory. */
    static final String INGEST_KEY_FILE = "ingest.key";
    /** Where an earlier version kept it; moved to {@link #INGEST_KEY_FILE} at the next start. */
    private static final String LEGACY_INGEST_KEY_FILE = "push.key";

    private final LocalStack stack;
    private final List<ServiceProcess> services;
    private final String adminKey;
    private final String ingestKey;

    private EmbeddedPipeline(LocalStack stack, List<ServiceProcess> services, String adminKey, String ingestKey) {
        this.stack = stack;
        this.services = services;
        this.adminKey = adminKey;
        this.ingestKey = ingestKey;
    }

    static EmbeddedPipeline start(Options options, PrintWriter out) throws IOException, InterruptedException {
        return start(options, out, stack -> { });
    }

    static EmbeddedPipeline start(Options options, PrintWriter out, BeforeServices before) throws IOException, InterruptedException {
        out.printf("Starting the embedded stack in %s ...%n", options.dataDir().toAbsolutePath());
        out.flush();
        LocalStack stack;
        try {
            stack = LocalStack.start(LocalStackConfig.persistent(options.dataDir()).withPorts(options.kafkaPort(), options.postgresPort()));
        } catch (LocalStackException e) {
            throw new IOException(e.getMessage(), e);
        }
        List<ServiceProcess> services = new ArrayList<>();
        try {
            if (options.demo() != null) {
                out.printf("Publishing the %d demo topics ...%n", DemoTopics.publish(stack.bootstrapServers()));
            }
            before.run(stack);
            String adminKey = key(options.dataDir(), ADMIN_KEY_FILE, "fsa_");
            Path logs = options.dataDir().resolve("logs");
            out.printf("Starting the scorer, alerting%s%s ...%n", options.ingest() != null ? " and ingest" : "",
                    options.demo() == null ? "" : " (with the demo stream)");
            out.flush();
            Map<String, String> kafka = Map.of("kafka.bootstrap.servers", stack.bootstrapServers(),
                    "quarkus.kafka-streams.bootstrap-servers", stack.bootstrapServers());
            Map<String, String> scorer = new HashMap<>(kafka);
            scorer.put("scorer.model-dir", (options.model() != null ? options.model() : Models.defaultModel()).toAbsolutePath().toString());
            scorer.put("kafka-streams.state.dir", options.dataDir().resolve("scorer-state").toAbsolutePath().toString());
            // Replays started over the scorer's REST API keep their state here and wait for their trend rows in the alerting database.
            scorer.put("scorer.replay.state-dir", options.dataDir().resolve("replay-state").toAbsolutePath().toString());
            scorer.put("scorer.replay.jdbc-url", stack.jdbcUrl());
            scorer.put("scorer.replay.jdbc-user", stack.jdbcUser());
            Map<String, String> alerting = new HashMap<>(kafka);
            alerting.putAll(stack.serviceConfig());
            alerting.put("kafka-streams.state.dir", options.dataDir().resolve("alerting-state").toAbsolutePath().toString());
            // One admin key for the alerting API and the scorer's replay API.
            String adminKeySha256 = ApiKeyHash.hex(adminKey);
            scorer.put("scorer.admin.key-sha256", adminKeySha256);
            alerting.put("alerting.admin.key-sha256", adminKeySha256);
            // The alerting service asks the scorer, which holds the model, for word explanations, with a key of this run only.
            String explainKey = newKey("fsx_");
            scorer.put("scorer.explain.key-sha256", ApiKeyHash.hex(explainKey));
            alerting.put("alerting.explain.scorer-key", explainKey);
            options.alerting().forEach((key, value) -> alerting.put("alerting." + key, value));
            Map<String, String> ingest = new HashMap<>(kafka);
            ingest.put("ingest.demo.enabled", Boolean.toString(options.demo() != null));
            if (options.demo() != null) {
                options.demo().forEach((key, value) -> ingest.put("ingest.demo." + key, value));
            }
            // One local client of ingest that may push and change feeds, its key kept beside the admin key.
            Path legacy = options.dataDir().resolve(LEGACY_INGEST_KEY_FILE);
            if (Files.isRegularFile(legacy) && !Files.exists(options.dataDir().resolve(INGEST_KEY_FILE))) {
                Files.move(legacy, options.dataDir().resolve(INGEST_KEY_FILE));
            }
            String ingestKey = key(options.dataDir(), INGEST_KEY_FILE, "fsp_");
            ingest.put("ingest.clients.local.key-sha256", ApiKeyHash.hex(ingestKey));
            ingest.put("ingest.clients.local.roles", "push,feeds");
            if (options.ingest() != null) {
                options.ingest().forEach((key, value) -> ingest.put("ingest." + key, value));
            }
            ServiceProcess scorerProcess = start(stack, "scorer", logs, options.scorerPort(), scorer);
            services.add(scorerProcess);
            alerting.put("alerting.explain.scorer-url", scorerProcess.url());
            services.add(start(stack, "alerting", logs, options.alertingPort(), alerting));
            if (options.ingest() != null) {
                services.add(start(stack, "ingest", logs, options.ingestPort(), ingest));
            }
            for (ServiceProcess service : services) {
                service.awaitReady(Duration.ofSeconds(120));
            }
            return new EmbeddedPipeline(stack, services, adminKey, ingestKey);
        } catch (IOException | RuntimeException | InterruptedException e) {
            stack.close();
            throw e;
        } catch (Exception e) {
            stack.close();
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static ServiceProcess start(LocalStack stack, String name, Path logs, int port, Map<String, String> config) throws IOException {
        ServiceProcess service = ServiceProcess.start(name, Models.home(), logs, port == 0 ? freePort() : port, config);
        stack.stopBefore(service);
        return service;
    }

    LocalStack stack() {
        return stack;
    }

    List<ServiceProcess> services() {
        return services;
    }

    ServiceProcess service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    /** The admin API key of the alerting service and the scorer's replay API: kept in the data directory (mode 600), so restarts keep it. */
    String adminKey() {
        return adminKey;
    }

    /** The API key of ingest's local client (roles push and feeds), kept in the data directory like the admin key. */
    String ingestKey() {
        return ingestKey;
    }

    @Override
    public void close() {
        stack.close();
    }

    /** A new random API key: the prefix, then 24 random bytes in hex. */
    static String newKey(String prefix) {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    /** A key kept in the data directory (mode 600), made on first use, so restarts keep it. */
    private static String key(Path dataDir, String name, String prefix) throws IOException {
        Path file = dataDir.resolve(name);
        if (Files.isRegularFile(file)) {
            return Files.readString(file).strip();
        }
        String key = newKey(prefix);
        Files.writeString(file, key + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return key;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
