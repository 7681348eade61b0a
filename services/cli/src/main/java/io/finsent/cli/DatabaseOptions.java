package io.finsent.cli;

import picocli.CommandLine.Option;

/**
 * {@code --jdbc-url} and {@code --jdbc-user}: the alerting service's PostgreSQL, where runs' trend rows and alerts
 * live. A mixin, so every command that reads or deletes a run's rows takes the database the same way, with one default.
 */
final class DatabaseOptions {

    @Option(names = "--jdbc-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/finsent", paramLabel = "URL",
            description = "The alerting database (default: ${DEFAULT-VALUE}, the embedded stack of ./monitor up).")
    String url;

    @Option(names = "--jdbc-user", defaultValue = "postgres", paramLabel = "USER", description = "Database user (default: ${DEFAULT-VALUE}).")
    String user;
}
