package io.finsent.alerting.store;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

/**
 * The alerting tables' Flyway migrations, in {@code src/main/resources/db/alerting}. The alerting service runs them at start
 * ({@code quarkus.flyway.locations=db/alerting}); {@link #migrate} runs the same ones elsewhere (tests, tools).
 */
public final class AlertingSchema {

    /** Where the migrations are on the classpath. */
    public static final String LOCATION = "classpath:db/alerting";

    private AlertingSchema() {
    }

    /** Creates or upgrades the alerting tables. */
    public static void migrate(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations(LOCATION).load().migrate();
    }

    /** Creates or upgrades the alerting tables over a plain connection (no password). */
    public static void migrate(String jdbcUrl, String user) {
        Flyway.configure().dataSource(jdbcUrl, user, "").locations(LOCATION).load().migrate();
    }
}
