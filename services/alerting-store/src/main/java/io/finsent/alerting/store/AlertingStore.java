package io.finsent.alerting.store;

import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

import javax.sql.DataSource;

import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * The alerting database: a {@link Jdbi} set up for its tables, whose SQL lives in one interface per table ({@link TrendWindowTable},
 * {@link RuleStateTable}, {@link AlertTable}, {@link SubscriptionTable}, {@link OutboxTable}, ...). Use a table alone with
 * {@code jdbi.onDemand(Table.class)}, or several in one transaction with {@code jdbi.inTransaction(h -> h.attach(Table.class)...)}.
 * Every timestamp is a UTC {@code timestamptz}, bound and read as an {@link Instant}.
 */
public final class AlertingStore {

    private AlertingStore() {
    }

    /** The store over a pooled data source (the alerting service's). */
    public static Jdbi jdbi(DataSource dataSource) {
        return configure(Jdbi.create(dataSource));
    }

    /** The store over plain connections (the CLI and replay: one connection per call, no password). */
    public static Jdbi jdbi(String jdbcUrl, String user) {
        return configure(Jdbi.create(jdbcUrl, user, ""));
    }

    private static Jdbi configure(Jdbi jdbi) {
        jdbi.installPlugin(new SqlObjectPlugin());
        jdbi.installPlugin(new PostgresPlugin());
        jdbi.registerArgument(new InstantArgument());
        jdbi.registerColumnMapper(Instant.class, (rs, column, ctx) -> {
            OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
            return value == null ? null : value.toInstant();
        });
        jdbi.registerArrayType(String.class, "text");
        jdbi.registerArrayType(Long.class, "bigint");
        return jdbi;
    }

    /**
     * {@code jdbi.inTransaction(callback)}, with the SQL failure Jdbi wraps thrown as the {@link SQLException} it is (a
     * sink tells from it whether PostgreSQL is away or refused the rows); any other failure as it came.
     */
    public static <R> R inTransaction(Jdbi jdbi, HandleCallback<R, RuntimeException> callback) throws SQLException {
        try {
            return jdbi.inTransaction(callback);
        } catch (JdbiException e) {
            Optional<SQLException> cause = sqlCause(e);
            if (cause.isPresent()) {
                throw cause.get();
            }
            throw e;
        }
    }

    /** The first {@link SQLException} in a failure's causes (Jdbi wraps them), if any. */
    public static Optional<SQLException> sqlCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException e) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** The SQLSTATE of the first {@link SQLException} in a failure's causes, if any. */
    public static Optional<String> sqlState(Throwable failure) {
        return sqlCause(failure).map(SQLException::getSQLState);
    }

    /** What went wrong, for a message: the SQL failure's own words where there is one (Jdbi's add the statement), else the failure's. */
    public static String reason(Throwable failure) {
        return sqlCause(failure).<Throwable>map(e -> e).orElse(failure).getMessage();
    }

    /** True when the failure says the alerting tables do not exist (the database was never migrated). */
    public static boolean missingTables(Throwable failure) {
        return sqlState(failure).filter("42P01"::equals).isPresent();
    }

    /** An Instant as a UTC timestamptz (as OffsetDateTime, the type PgJDBC binds without guessing a zone). */
    private static final class InstantArgument extends AbstractArgumentFactory<Instant> {

        InstantArgument() {
            super(Types.TIMESTAMP_WITH_TIMEZONE);
        }

        @Override
        protected Argument build(Instant value, ConfigRegistry config) {
            OffsetDateTime utc = OffsetDateTime.ofInstant(value, ZoneOffset.UTC);
            return (position, statement, ctx) -> statement.setObject(position, utc);
        }
    }
}
