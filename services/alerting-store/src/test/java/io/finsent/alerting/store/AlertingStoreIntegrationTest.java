package io.finsent.alerting.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.finsent.alerting.rules.AlertTransition;
import io.finsent.alerting.rules.RuleKind;
import io.finsent.alerting.store.fixtures.AlertingFixture;
import io.finsent.alerting.store.fixtures.OutboxFixture;
import io.finsent.alerting.trends.TrendPoint;
import io.finsent.local.LocalPostgres;
import io.finsent.schema.AlertState;
import io.finsent.schema.Severity;

/**
 * The store against a real PostgreSQL, migrated by {@link AlertingSchema}: instants survive the round trip exactly (UTC, whatever
 * the JVM's zone), arrays bind, a redelivered window or transition changes nothing, an outbox claim skips what it already holds,
 * a run's rows go in one transaction, and an unmigrated database is told apart from an unreachable one.
 */
@Timeout(120)
class AlertingStoreIntegrationTest {

    private static final long MINUTE = 60_000;
    private static Path dir;
    private static LocalPostgres postgres;
    private static Jdbi store;

    private final String run = "r-" + UUID.randomUUID().toString().substring(0, 8);
    private final String topic = "t-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void migrate() throws Exception {
        dir = Files.createTempDirectory("alerting-store-it");
        postgres = LocalPostgres.start(dir, 0);
        assertThatThrownBy(() -> AlertingStore.jdbi(postgres.jdbcUrl(), postgres.user()).onDemand(TrendWindowTable.class).totals("x",
                TrendWindowTable.NO_START, TrendWindowTable.NO_END))
                .isInstanceOf(JdbiException.class).satisfies(e -> assertThat(AlertingStore.missingTables(e)).isTrue());
        AlertingSchema.migrate(postgres.jdbcUrl(), postgres.user());
        AlertingSchema.migrate(postgres.jdbcUrl(), postgres.user()); // a second run migrates nothing
        store = AlertingStore.jdbi(postgres.jdbcUrl(), postgres.user());
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void windowsRoundTripAndAnUpsertReplacesInsteadOfAdding() {
        Instant t0 = Instant.parse("2015-03-08T07:59:00.123Z"); // a DST change in many zones; millisecond precision
        TrendWindowTable trends = store.onDemand(TrendWindowTable.class);
        for (int i = 0; i < 5; i++) {
            trends.upsert(run, TrendWindowTable.TrendRow.of(new TrendPoint(topic, t0.toEpochMilli() + i * MINUTE, MINUTE, 10, 2, 5, 3, 0.1 * i, 0.2),
                    0.25));
        }
        trends.upsert(run, TrendWindowTable.TrendRow.of(new TrendPoint(topic, t0.toEpochMilli(), MINUTE, 4, 4, 0, 0, -0.9, 0), 0.9));

        List<TrendWindowTable.TrendRow> rows = trends.rows(run, TrendWindowTable.NO_START, TrendWindowTable.NO_END);
        assertThat(rows).hasSize(5);
        assertThat(rows.get(0).windowStart()).isEqualTo(t0);
        assertThat(rows.get(0).count()).isEqualTo(4);
        assertThat(rows.get(0).meanPNegative()).isEqualTo(0.9);
        assertThat(trends.totals(run, TrendWindowTable.NO_START, TrendWindowTable.NO_END)).containsExactly(new TrendWindowTable.Totals(MINUTE, 5, 44));
        assertThat(trends.span(run)).isEqualTo(new TrendWindowTable.Span(t0, t0.plus(4, ChronoUnit.MINUTES)));
        assertThat(trends.span("no-such-run")).isEqualTo(new TrendWindowTable.Span(null, null));
        // newest first, strictly before the given start, at most the limit
        assertThat(trends.latestBefore(run, topic, MINUTE, t0.plus(3, ChronoUnit.MINUTES), 2)).extracting(TrendPoint::windowStart)
                .containsExactly(t0.toEpochMilli() + 2 * MINUTE, t0.toEpochMilli() + MINUTE);
        assertThat(trends.points(run, t0.plus(1, ChronoUnit.MINUTES), t0.plus(3, ChronoUnit.MINUTES), 10)).hasSize(2);
        assertThat(trends.topicsWithWindowFrom(run, t0.plus(4, ChronoUnit.MINUTES))).isEqualTo(1);
        assertThat(trends.topicsWithWindowFrom(run, t0.plus(5, ChronoUnit.MINUTES))).isZero();
    }

    @Test
    void aTransitionRecordedTwiceIsOneEventAndRepeatsAreDueByEventTime() {
        long start = Instant.parse("2026-01-05T10:00:00Z").toEpochMilli();
        AlertTransition fired = transition("a-" + run, AlertState.FIRING, start, start + MINUTE);
        store.useTransaction(h -> {
            AlertTable alerts = h.attach(AlertTable.class);
            alerts.record(fired, true);
            alerts.record(fired, true); // a redelivered window
        });
        AlertTable alerts = store.onDemand(AlertTable.class);
        assertThat(alerts.eventsOfWindow(run, "default", topic, Instant.ofEpochMilli(start))).containsExactly(fired);
        assertThat(alerts.eventRows(run, TrendWindowTable.NO_START, TrendWindowTable.NO_END)).hasSize(1);

        Instant now = Instant.ofEpochMilli(start + 10 * MINUTE);
        List<AlertTable.DueRepeat> due = store.inTransaction(h -> h.attach(AlertTable.class).dueRepeats(run, "default", topic,
                now.minus(5, ChronoUnit.MINUTES), now));
        assertThat(due).hasSize(1);
        assertThat(due.get(0).firedAt()).isEqualTo(Instant.ofEpochMilli(start + MINUTE));
        assertThat(due.get(0).alert().eventTime()).isEqualTo(now.toEpochMilli());
        assertThat(due.get(0).alert().state()).isEqualTo(AlertState.FIRING);
        alerts.markNotified(fired.alertId(), now);
        assertThat(alerts.dueRepeats(run, "default", topic, now.minus(5, ChronoUnit.MINUTES), now)).isEmpty();

        // an older transition never overwrites a newer one
        store.useTransaction(h -> h.attach(AlertTable.class).record(transition(fired.alertId(), AlertState.PENDING, start - MINUTE, start), false));
        assertThat(store.onDemand(AlertingFixture.class).alerts(topic)).extracting(AlertingFixture.Alert::state).containsExactly("FIRING");
    }

    @Test
    void ruleStatesAreInsertedOnceAndSaved() {
        RuleStateTable states = store.onDemand(RuleStateTable.class);
        assertThat(states.lock(run, "default", topic)).isEmpty();
        states.insertIfAbsent(run, "default", topic, "{\"a\":1}", 5);
        states.insertIfAbsent(run, "default", topic, "{\"a\":2}", 6);
        assertThat(states.lock(run, "default", topic)).contains("{\"a\":1}");
        states.save(run, "default", topic, "{\"a\":3}", 7);
        assertThat(store.onDemand(AlertingFixture.class).ruleStates(topic)).extracting(AlertingFixture.RuleState::lastWindowStart).containsExactly(7L);
    }

    @Test
    void webhookTargetsMatchTopicRuleSetAndSeverityAndSkipSilencedAnalysts() {
        long alice = analyst("alice");
        long bob = analyst("bob");
        long aliceSub = subscription(alice, topic, "WARNING", "https://hooks.example.com/a");
        subscription(bob, "*", "INFO", "https://hooks.example.com/b");
        subscription(alice, topic, "CRITICAL", "https://hooks.example.com/a-critical");
        SubscriptionTable subscriptions = store.onDemand(SubscriptionTable.class);

        assertThat(subscriptions.webhookTargets(topic, "default", "NEGATIVE_SHARE", "WARNING", new String[] {"INFO", "WARNING"}))
                .extracting(SubscriptionTable.WebhookTarget::webhookUrl).containsExactly("https://hooks.example.com/a", "https://hooks.example.com/b");
        assertThat(subscriptions.subscribersAmong(topic, "default", new Long[] {alice, bob, 999_999L})).containsExactlyInAnyOrder(alice, bob);
        assertThat(subscriptions.subscribersAmong(topic, "default", new Long[0])).isEmpty();
        assertThat(subscriptions.webhookSecret(aliceSub)).contains("whsec");
        assertThat(subscriptions.webhookSecret(-1)).isEmpty();

        store.useHandle(h -> h.execute("INSERT INTO silence (analyst_id, topic, starts_at, ends_at, comment) VALUES (?, ?, now() - interval '1 minute',"
                + " now() + interval '1 hour', 'known')", bob, topic));
        assertThat(subscriptions.webhookTargets(topic, "default", "NEGATIVE_SHARE", "WARNING", new String[] {"INFO", "WARNING"}))
                .extracting(SubscriptionTable.WebhookTarget::analyst).containsExactly("alice");
    }

    @Test
    void anOutboxClaimSkipsClaimedRowsAndAFinishAfterTheLeaseIsDiscarded() {
        OutboxFixture fixture = store.onDemand(OutboxFixture.class);
        OutboxTable outbox = store.onDemand(OutboxTable.class);
        fixture.truncate();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        assertThat(outbox.enqueueWebhook("k1", 7, 1, "https://hooks.example.com/x", "{\"n\": 1}")).isEqualTo(1);
        assertThat(outbox.enqueueWebhook("k1", 7, 1, "https://hooks.example.com/x", "{\"n\": 1}")).isZero();
        fixture.insert("k2", 1, "https://hooks.example.com/x", "{\"n\": 2}", now.minusSeconds(1));

        List<OutboxTable.Claimed> claimed = outbox.claimDue(now.plusSeconds(1), now.plusSeconds(60), 10);
        assertThat(claimed).extracting(OutboxTable.Claimed::idempotencyKey).containsExactlyInAnyOrder("k1", "k2");
        assertThat(claimed).allSatisfy(c -> assertThat(c.attempts()).isEqualTo(1));
        assertThat(outbox.claimDue(now.plusSeconds(1), now.plusSeconds(60), 10)).as("leased rows are not due").isEmpty();

        OutboxTable.Claimed first = claimed.get(0);
        assertThat(outbox.finish(new OutboxTable.Outcome(first.id(), first.attempts(), "delivered", 1, now, null, now))).isEqualTo(1);
        assertThat(outbox.finish(new OutboxTable.Outcome(first.id(), first.attempts(), "failed", 1, now, "late", null))).isZero();
        outbox.release(List.of(claimed.get(1)), now);
        OutboxFixture.Row released = fixture.row(claimed.get(1).idempotencyKey()).orElseThrow();
        assertThat(released.attempts()).isZero();
        assertThat(released.nextAttemptAt()).isEqualTo(now);
        assertThat(fixture.countWithStatus("delivered")).isEqualTo(1);
    }

    @Test
    void aRunsRowsAreDeletedTogetherAndOtherRunsStay() {
        String other = run + "-other";
        TrendWindowTable trends = store.onDemand(TrendWindowTable.class);
        long start = Instant.parse("2026-02-01T00:00:00Z").toEpochMilli();
        for (String r : List.of(run, other)) {
            trends.upsert(r, TrendWindowTable.TrendRow.of(new TrendPoint(topic, start, MINUTE, 1, 0, 1, 0, 0, 0), 0));
            store.useTransaction(h -> {
                h.attach(RuleStateTable.class).insertIfAbsent(r, "default", topic, "{}", start);
                h.attach(AlertTable.class).record(transition("a-" + r, AlertState.PENDING, start, start + MINUTE, r), false);
            });
        }
        for (String r : List.of(run, other)) {
            ScoredTextTable.Text text = text("t-" + r, Instant.ofEpochMilli(start), "Shares fall", "Shares fell", List.of(topic));
            store.useTransaction(h -> {
                h.attach(ScoredTextTable.class).insert(r, List.of(text));
                h.attach(ScoredTextTable.class).insertTopics(r, List.of(new ScoredTextTable.TopicRow(topic, text.publishedAt(), text.textId())));
            });
        }
        Map<String, Integer> deleted = RunRows.delete(store, run);
        assertThat(deleted).containsExactly(Map.entry("alert_event", 1), Map.entry("alert", 1), Map.entry("rule_state", 1),
                Map.entry("trend_window", 1), Map.entry("scored_text", 1));
        assertThat(store.onDemand(AlertingFixture.class).windows(topic)).extracting(AlertingFixture.Window::runId).containsExactly(other);
        ScoredTextTable texts = store.onDemand(ScoredTextTable.class);
        assertThat(texts.count(run)).isZero();
        assertThat(texts.ofTopic(run, topic, Instant.EPOCH, TrendWindowTable.NO_END, 10)).isEmpty();
        assertThat(texts.ofTopic(other, topic, Instant.EPOCH, TrendWindowTable.NO_END, 10)).extracting(ScoredTextTable.Text::textId)
                .containsExactly("t-" + other);
    }

    @Test
    void scoredTextsRoundTripAreWrittenOnceFoundByTopicAndTimeAndByTextSearchAndExpire() {
        ScoredTextTable texts = store.onDemand(ScoredTextTable.class);
        String r = run + "-texts";
        Instant t0 = Instant.parse("2015-03-12T14:30:00.123Z");
        ScoredTextTable.Text first = text("x1", t0, "Intel cuts its revenue forecast as PC demand slumps",
                "Intel lowered its forecast for the quarter", List.of(topic, "chips"));
        ScoredTextTable.Text second = text("x2", t0.plusSeconds(60), null, "Guidance raised for the year", List.of(topic));
        assertThat(texts.insert(r, List.of(first, second, first))).as("a text twice in one call is written once").isEqualTo(2);
        // A redelivery, even with other values, changes nothing
        ScoredTextTable.Text changed = new ScoredTextTable.Text("x1", t0, "PUSH", "elsewhere", "other", null, null, List.of(), List.of(),
                "POSITIVE", 0, 0, 1, 1, null, "m 2");
        assertThat(texts.insert(r, List.of(changed))).isZero();
        assertThat(texts.find(r, "x1")).contains(first);
        assertThat(texts.find(r, "nope")).isEmpty();
        texts.insertTopics(r, List.of(new ScoredTextTable.TopicRow(topic, first.publishedAt(), "x1"),
                new ScoredTextTable.TopicRow("chips", first.publishedAt(), "x1"), new ScoredTextTable.TopicRow(topic, second.publishedAt(), "x2")));
        texts.insertTopics(r, List.of(new ScoredTextTable.TopicRow(topic, first.publishedAt(), "x1")));

        assertThat(texts.ofTopic(r, topic, t0, t0.plusSeconds(120), 10)).containsExactly(first, second);
        assertThat(texts.ofTopic(r, topic, t0.plusMillis(1), t0.plusSeconds(120), 10)).containsExactly(second);
        assertThat(texts.ofTopic(r, topic, t0, t0.plusSeconds(60), 10)).as("[from, to)").containsExactly(first);
        assertThat(texts.ofTopic(r, "chips", t0, t0.plusSeconds(120), 10)).containsExactly(first);
        assertThat(texts.ofTopic(r, topic, t0, t0.plusSeconds(120), 1)).containsExactly(first);
        // English stemming over title and text; a query of only operators or odd characters matches nothing, never fails
        assertThat(texts.search(r, "forecast cut", 10)).containsExactly(first);
        assertThat(texts.search(r, "\"demand slumped\"", 10)).containsExactly(first);
        assertThat(texts.search(r, "guidance", 10)).containsExactly(second);
        assertThat(texts.search(r, "-intel", 10)).containsExactly(second);
        assertThat(texts.search(r, "&|!():* '", 10)).isEmpty();
        assertThat(texts.search(r, "x".repeat(2000), 10)).isEmpty();

        // Retention removes what was stored before the cut-off, with its topic rows, in bounded batches
        assertThat(texts.deleteStoredBefore(r, Instant.now().minusSeconds(3600), 100)).isZero();
        assertThat(texts.deleteStoredBefore(r, Instant.now().plusSeconds(1), 1)).isEqualTo(1);
        assertThat(texts.deleteStoredBefore(r, Instant.now().plusSeconds(1), 100)).isEqualTo(1);
        assertThat(texts.count(r)).isZero();
        assertThat(texts.ofTopic(r, topic, Instant.EPOCH, TrendWindowTable.NO_END, 10)).isEmpty();
    }

    private static ScoredTextTable.Text text(String id, Instant at, String title, String body, List<String> topics) {
        return new ScoredTextTable.Text(id, at.truncatedTo(ChronoUnit.MILLIS), "RSS", "wire", title, "https://news.example.com/" + id,
                body, List.of("INTC", "AMD"), topics, "NEGATIVE", 0.9, 0.07, 0.03, -0.87,
                null, "finsent-sentiment 1");
    }

    @Test
    void anUnreachableDatabaseIsAConnectionFailureNotMissingTables() {
        Jdbi nowhere = AlertingStore.jdbi("jdbc:postgresql://127.0.0.1:1/finsent?connectTimeout=2", "postgres");
        assertThatThrownBy(() -> nowhere.onDemand(TrendWindowTable.class).span("x")).isInstanceOf(JdbiException.class)
                .satisfies(e -> {
                    assertThat(AlertingStore.missingTables(e)).isFalse();
                    assertThat(AlertingStore.sqlState(e)).hasValueSatisfying(state -> assertThat(state).startsWith("08"));
                });
    }

    private AlertTransition transition(String alertId, AlertState state, long windowStart, long eventTime) {
        return transition(alertId, state, windowStart, eventTime, run);
    }

    private AlertTransition transition(String alertId, AlertState state, long windowStart, long eventTime, String runId) {
        return new AlertTransition(alertId, runId, "default", RuleKind.NEGATIVE_SHARE, topic, Severity.WARNING, state, windowStart, MINUTE, 0.8,
                0.1, 0.3, "negative share 80 %", eventTime);
    }

    private static long analyst(String name) {
        return store.withHandle(h -> h.createQuery("INSERT INTO analyst (name) VALUES (:name) RETURNING id").bind("name", name).mapTo(Long.class).one());
    }

    private static long subscription(long analyst, String topic, String minSeverity, String webhook) {
        return store.withHandle(h -> h.createQuery("""
                INSERT INTO subscription (analyst_id, topic, rule_set, rule_params, min_severity, webhook_url, webhook_secret)
                VALUES (:analyst, :topic, 'default', '{}', :severity, :webhook, 'whsec') RETURNING id""")
                .bind("analyst", analyst).bind("topic", topic).bind("severity", minSeverity).bind("webhook", webhook).mapTo(Long.class).one());
    }
}
