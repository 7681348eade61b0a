package io.finsent.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.jboss.logging.Logger;

/**
 * A single-node Apache Kafka broker in KRaft mode (broker and controller in one process), run as a
 * child JVM from the Kafka jars on our own classpath: no download, no Docker. Its data survives a
 * restart unless the stack is ephemeral.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KafkaBroker.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final String heap;
    private Process process;

    private KafkaBroker(Path dir, int port, int controllerPort, String heap) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.heap = heap;
    }

    /** Formats the storage on first use, starts the broker and waits until it answers. */
    public static KafkaBroker start(Path dir, int port, int controllerPort, String heap) {
        Loopback.writableDirectory(dir);
        stopLeftover(dir);
        KafkaBroker broker = new KafkaBroker(dir, Loopback.claim(port, "Kafka", "--kafka-port"),
                Loopback.claim(controllerPort, "Kafka controller", "--kafka-controller-port"), heap);
        try {
            broker.run();
            return broker;
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return Loopback.HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    private void run() {
        Path config = writeConfig();
        Path logs = dir.resolve("logs");
        if (!Files.exists(logs.resolve("meta.properties"))) {
            Process format = launch("format", List.of("format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()),
                    dir.resolve("format.log"));
            try {
                if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                    format.destroyForcibly();
                    throw new LocalStackException("formatting Kafka storage in " + logs + " failed:\n"
                            + ChildProcesses.logTail(dir.resolve("format.log")));
                }
            } catch (InterruptedException e) {
                format.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new LocalStackException("interrupted while formatting Kafka storage");
            }
        }
        Path log = dir.resolve("server.log");
        process = launch("run", List.of(config.toString()), log);
        writePid(process.pid());
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new LocalStackException("the Kafka broker exited with code " + process.exitValue()
                        + " while starting; last lines of " + log + ":\n" + ChildProcesses.logTail(log));
            }
            if (Loopback.accepts(port) && answers()) {
                LOG.infof("Kafka broker (pid %d) ready on %s", process.pid(), bootstrapServers());
                return;
            }
            sleep(250);
        }
        throw new LocalStackException("the Kafka broker did not answer on " + bootstrapServers() + " within "
                + START_TIMEOUT.toSeconds() + " s; last lines of " + log + ":\n" + ChildProcesses.logTail(log));
    }

    private boolean answers() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private Path writeConfig() {
        Properties props = new Properties();
        props.setProperty("process.roles", "broker,controller");
        props.setProperty("node.id", "1");
        props.setProperty("controller.quorum.voters", "1@" + Loopback.HOST + ":" + controllerPort);
        props.setProperty("listeners", "PLAINTEXT://" + Loopback.HOST + ":" + port + ",CONTROLLER://" + Loopback.HOST + ":" + controllerPort);
        props.setProperty("advertised.listeners", "PLAINTEXT://" + Loopback.HOST + ":" + port);
        props.setProperty("controller.listener.names", "CONTROLLER");
        props.setProperty("inter.broker.listener.name", "PLAINTEXT");
        props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.setProperty("log.dirs", dir.resolve("logs").toString());
        props.setProperty("num.partitions", "1");
        props.setProperty("auto.create.topics.enable", "false");
        props.setProperty("offsets.topic.replication.factor", "1");
        props.setProperty("offsets.topic.num.partitions", "3");
        props.setProperty("transaction.state.log.replication.factor", "1");
        props.setProperty("transaction.state.log.min.isr", "1");
        props.setProperty("transaction.state.log.num.partitions", "3");
        props.setProperty("share.coordinator.state.topic.replication.factor", "1");
        props.setProperty("share.coordinator.state.topic.min.isr", "1");
        props.setProperty("group.initial.rebalance.delay.ms", "0");
        props.setProperty("log.flush.interval.messages", "10000");
        Path file = dir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(out, "written by finsent's embedded stack on every start");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private Process launch(String command, List<String> args, Path log) {
        List<String> cmd = new ArrayList<>(ChildProcesses.ownSession());
        cmd.add(ChildProcesses.javaCommand());
        cmd.add("-Xmx" + heap);
        cmd.addAll(ChildProcesses.jvmOptions());
        // One small node on a shared machine: the serial collector costs least.
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BrokerProcess.class.getName());
        cmd.add(command);
        cmd.add(Long.toString(ProcessHandle.current().pid()));
        cmd.addAll(args);
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new LocalStackException("cannot start a JVM for the Kafka broker: " + e.getMessage(), e);
        }
    }

    /** A broker left by a run that was killed: stop it, so its ports and files are free. */
    private static void stopLeftover(Path dir) {
        Path pidFile = dir.resolve("broker.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid).filter(h -> h.info().commandLine().orElse("").contains(BrokerProcess.class.getName()))
                    .ifPresent(h -> {
                        LOG.warnf("stopping broker pid %d left by an earlier run", pid);
                        h.destroy();
                        h.onExit().completeOnTimeout(h, 30, TimeUnit.SECONDS).join();
                        h.destroyForcibly();
                    });
            Files.deleteIfExists(pidFile);
        } catch (IOException | NumberFormatException e) {
            LOG.debugf("ignoring unreadable %s: %s", pidFile, e);
        }
    }

    private void writePid(long pid) {
        try {
            Files.writeString(dir.resolve("broker.pid"), Long.toString(pid));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the broker: a controlled shutdown first, then a kill if it takes too long. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        ChildProcesses.stop(process, "Kafka broker", Duration.ofSeconds(30));
        try {
            Files.deleteIfExists(dir.resolve("broker.pid"));
        } catch (IOException e) {
            LOG.debugf("cannot delete pid file: %s", e);
        }
    }

    /** Kills the broker at once, as a crash would (for tests of restarts). */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the broker again on the same ports and data, after {@link #kill()} or {@link #close()}. */
    public void restart() {
        run();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while waiting for the Kafka broker");
        }
    }
}
