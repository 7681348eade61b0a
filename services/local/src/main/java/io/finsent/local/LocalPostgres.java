package io.finsent.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.jboss.logging.Logger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server (binaries from the zonky jars) on loopback, with the {@code finsent}
 * database. Its data survives a restart unless the stack is ephemeral.
 */
public final class LocalPostgres implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LocalPostgres.class);

    private final EmbeddedPostgres postgres;
    private final Path dir;

    private LocalPostgres(EmbeddedPostgres postgres, Path dir) {
        this.postgres = postgres;
        this.dir = dir;
    }

    public static LocalPostgres start(Path dir, int port) {
        Loopback.writableDirectory(dir);
        stopLeftover(dir);
        int chosen = Loopback.claim(port, "PostgreSQL", "--postgres-port");
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder()
                    .setPort(chosen)
                    .setDataDirectory(dir.resolve("data"))
                    .setOverrideWorkingDirectory(dir.resolve("binaries").toFile())
                    .setCleanDataDirectory(false)
                    .setServerConfig("listen_addresses", Loopback.HOST)
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("fsync", "on")
                    .setPGStartupWait(java.time.Duration.ofSeconds(60))
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new LocalStackException("PostgreSQL did not start in " + dir + ": " + e.getMessage(), e);
        }
        LocalPostgres local = new LocalPostgres(postgres, dir);
        try {
            local.createDatabase();
        } catch (SQLException e) {
            local.close();
            throw new LocalStackException("PostgreSQL started but the database could not be created: " + e.getMessage(), e);
        }
        LOG.infof("PostgreSQL ready on %s", local.jdbcUrl());
        return local;
    }

    private void createDatabase() throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + LocalStackConfig.DATABASE + "'")) {
                if (!rs.next()) {
                    s.execute("CREATE DATABASE " + LocalStackConfig.DATABASE);
                }
            }
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + Loopback.HOST + ":" + port() + "/" + LocalStackConfig.DATABASE;
    }

    public String user() {
        return "postgres";
    }

    /** Stops the server at once, as an outage would (for tests); {@link PostgresOutage#end} starts it again. */
    public PostgresOutage stopForOutage() {
        return PostgresOutage.begin(dir.resolve("data"));
    }

    /** A server left by a run that was killed holds the data directory: stop it first. */
    private static void stopLeftover(Path dir) {
        Path pidFile = dir.resolve("data").resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            ProcessHandle.of(pid).filter(h -> h.info().command().orElse("").contains("postgres")).ifPresent(h -> {
                LOG.warnf("stopping PostgreSQL pid %d left by an earlier run", pid);
                h.destroy();
                h.onExit().completeOnTimeout(h, 30, java.util.concurrent.TimeUnit.SECONDS).join();
                h.destroyForcibly();
            });
        } catch (IOException | RuntimeException e) {
            LOG.debugf("ignoring unreadable %s: %s", pidFile, e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warnf("PostgreSQL did not stop cleanly: %s", e.getMessage());
        }
    }
}
