package io.finsent.alerting.service;

import static io.finsent.alerting.service.TestSupport.MINUTE;
import static io.finsent.alerting.service.TestSupport.publishWindow;
import static io.finsent.alerting.service.TestSupport.unique;
import static io.finsent.alerting.service.TestSupport.window;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.fixtures.AlertingFixture;
import io.finsent.alerting.store.ScoredTextTable;
import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.local.PostgresOutage;
import io.finsent.schema.Sentiment;
import io.finsent.local.testing.SharedLocalStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * PostgreSQL stopped for 60 s while trend windows keep arriving, then started again on the same port and data
 * directory: the sink retries until it is back and loses nothing (row count and the sum of counts match what was
 * published); readiness is DOWN meanwhile. Runs on a database of its own (the shared one cannot be restarted).
 */
@QuarkusTest
@TestProfile(PostgresOutageIntegrationTest.OwnDatabase.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PostgresOutageIntegrationTest {

    private static final String PORT = "finsent.test.outage-postgres.port";
    private static final String DIR = "finsent.test.outage-postgres.dir";

    /** This test's own PostgreSQL (port and data directory in system properties, for the test) and the shared broker. */
    public static class OwnPostgres implements QuarkusTestResourceLifecycleManager {
        private EmbeddedPostgres postgres;

        @Override
        public Map<String, String> start() {
            try (ServerSocket socket = new ServerSocket(0)) {
                System.setProperty(PORT, String.valueOf(socket.getLocalPort()));
                System.setProperty(DIR, Files.createTempDirectory("finsent-outage-pg-").toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            postgres = startPostgres();
            String bootstrap = SharedLocalStack.get().bootstrapServers();
            return Map.of("kafka.bootstrap.servers", bootstrap, "quarkus.kafka-streams.bootstrap-servers", bootstrap,
                    "quarkus.datasource.jdbc.url", jdbcUrl(), "quarkus.datasource.username", "postgres", "quarkus.datasource.password", "");
        }

        @Override
        public void stop() {
            try {
                postgres.close();
            } catch (IOException e) {
                // The test stopped the server it started; the one restarted by the test is stopped by the test.
            }
        }
    }

    /** Own database, own consumer group, application id and run id, so nothing is shared with the other tests' app. */
    public static class OwnDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.kafka-streams.application-id", "finsent-alerting-outage-test",
                    "alerting.sink.group-id", "finsent-alerting-sink-outage-test",
                    "alerting.texts.group-id", "finsent-alerting-texts-outage-test",
                    "alerting.run-id", "outage-test",
                    "alerting.api.stream-enabled", "false");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OwnPostgres.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    static EmbeddedPostgres startPostgres() {
        try {
            return EmbeddedPostgres.builder().setPort(Integer.parseInt(System.getProperty(PORT)))
                    .setDataDirectory(Path.of(System.getProperty(DIR))).setCleanDataDirectory(false)
                    .setServerConfig("listen_addresses", "127.0.0.1").setPGStartupWait(Duration.ofSeconds(60)).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + System.getProperty(PORT) + "/postgres";
    }

    @Test
    void nothingIsLostWhilePostgresIsDownForAMinute() throws Exception {
        String bootstrap = SharedLocalStack.get().bootstrapServers();
        String run = unique("outage");
        String topic = unique("outage");
        long base = System.currentTimeMillis() / MINUTE * MINUTE - 24 * 60 * MINUTE;
        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicLong published = new AtomicLong();
        AtomicLong publishedCount = new AtomicLong();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        // Given trend windows arriving four times a second
        Future<?> publisher = executor.submit(() -> {
            for (int i = 0; publishing.get(); i++) {
                long count = i % 7 + 1;
                publishWindow(bootstrap, window(run, topic, base + i * MINUTE, count, i % 2));
                TestSupport.publishScored(bootstrap, TestSupport.scored(topic + "-" + i, topic, base + i * MINUTE, Sentiment.NEUTRAL, 0.1, 0.1));
                published.incrementAndGet();
                publishedCount.addAndGet(count);
                Thread.sleep(250);
            }
            return null;
        });
        String user = "postgres";
        TestSupport.await("the first rows", Duration.ofSeconds(60),
                () -> fixture(user).windowsOfRun(run).size() >= 5);
        given().get("/q/health/ready").then().statusCode(200);

        // When PostgreSQL stops for 60 s
        PostgresOutage outage = PostgresOutage.begin(Path.of(System.getProperty(DIR)));
        long stoppedAt = System.nanoTime();
        TestSupport.await("readiness DOWN", Duration.ofSeconds(30), () -> given().get("/q/health/ready").statusCode() == 503);
        given().get("/q/health/live").then().statusCode(200);
        long publishedWhileDown = published.get();
        Thread.sleep(Math.max(0, Duration.ofSeconds(60).toMillis() - Duration.ofNanos(System.nanoTime() - stoppedAt).toMillis()));
        assertThat(published.get()).as("windows kept arriving while the database was down").isGreaterThan(publishedWhileDown + 100);
        Process restarted = outage.end(jdbcUrl(), user, Path.of(System.getProperty(DIR) + ".log"), Duration.ofSeconds(60));
        try {
            Thread.sleep(3000);
            publishing.set(false);
            publisher.get(30, TimeUnit.SECONDS);

            // Then every window is written once, with its count, and the service is ready again
            TestSupport.await("every window", Duration.ofSeconds(90),
                    () -> fixture(user).windowsOfRun(run).size() == published.get());
            assertThat(fixture(user).windowsOfRun(run).stream().filter(w -> w.topic().equals(topic)).mapToLong(AlertingFixture.Window::count).sum())
                    .isEqualTo(publishedCount.get());
            // ... and every scored text (text.scored is this service's run, alerting.run-id)
            TestSupport.await("every scored text", Duration.ofSeconds(90), () -> AlertingStore.jdbi(jdbcUrl(), user).onDemand(ScoredTextTable.class)
                    .ofTopic("outage-test", topic, TrendWindowTable.NO_START, TrendWindowTable.NO_END, 100_000).size() == published.get());
            long last = base + (published.get() - 1) * MINUTE;
            assertThat(fixture(user).ruleStates(topic).stream().filter(r -> r.runId().equals(run) && r.lastWindowStart() == last).count())
                    .isEqualTo(1);
            TestSupport.await("readiness UP", Duration.ofSeconds(30), () -> given().get("/q/health/ready").statusCode() == 200);
        } finally {
            publishing.set(false);
            executor.shutdownNow();
            new ProcessBuilder("kill", "-INT", String.valueOf(restarted.pid())).inheritIO().start().waitFor();
            restarted.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** What the sink wrote, through the store's test fixture (a connection per call: PostgreSQL restarts in between). */
    private AlertingFixture fixture(String user) {
        return AlertingStore.jdbi(jdbcUrl(), user).onDemand(AlertingFixture.class);
    }
}
