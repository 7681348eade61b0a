package io.finsent.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A PostgreSQL server stopped as an outage would stop it, for tests of what the services do meanwhile: a fast
 * shutdown (SIGINT), which ends the server although clients hold connections, then the same server started again
 * with its own command line (same port, same data directory).
 */
public final class PostgresOutage {

    private final List<String> command;

    private PostgresOutage(List<String> command) {
        this.command = command;
    }

    /** Stops the server that runs on {@code dataDirectory} (where its {@code postmaster.pid} is). */
    public static PostgresOutage begin(Path dataDirectory) {
        try {
            long pid = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
            ProcessHandle server = ProcessHandle.of(pid).orElseThrow(() -> new LocalStackException("PostgreSQL pid " + pid + " is not running"));
            List<String> command = new ArrayList<>();
            if ("root".equals(System.getProperty("user.name"))) {
                command.addAll(List.of("unshare", "-U")); // as zonky does: PostgreSQL refuses to run as root
            }
            command.add(server.info().command().orElseThrow());
            command.addAll(List.of(server.info().arguments().orElseThrow()));
            new ProcessBuilder("kill", "-INT", String.valueOf(pid)).inheritIO().start().waitFor();
            server.onExit().get(30, TimeUnit.SECONDS);
            return new PostgresOutage(command);
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new LocalStackException("cannot stop PostgreSQL in " + dataDirectory + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while stopping PostgreSQL");
        }
    }

    /**
     * Starts the server again and waits until {@code jdbcUrl} accepts a connection as {@code user}; its output goes to
     * {@code log}. The server is no child of a Process the caller must keep: it stops with the stack as before.
     */
    public Process end(String jdbcUrl, String user, Path log, Duration timeout) {
        try {
            Process server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                try (Connection c = DriverManager.getConnection(jdbcUrl, user, "")) {
                    return server;
                } catch (SQLException e) {
                    if (!server.isAlive()) {
                        throw new LocalStackException("PostgreSQL did not start again; see " + log + ":\n" + ChildProcesses.logTail(log));
                    }
                    if (System.nanoTime() > deadline) {
                        throw new LocalStackException("PostgreSQL did not accept connections within " + timeout.toSeconds() + " s; see " + log);
                    }
                    Thread.sleep(200);
                }
            }
        } catch (IOException e) {
            throw new LocalStackException("cannot start PostgreSQL again: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while starting PostgreSQL again");
        }
    }
}
