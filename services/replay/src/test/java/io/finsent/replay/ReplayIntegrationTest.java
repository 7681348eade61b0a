package io.finsent.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.finsent.alerting.backtest.Backtest;
import io.finsent.alerting.backtest.BacktestReport;
import io.finsent.alerting.rules.AlertTransition;
import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.trends.EndOfInput;
import io.finsent.alerting.trends.TrendPoint;
import io.finsent.alerting.trends.TrendSettings;
import io.finsent.alerting.trends.TrendTopology;
import io.finsent.common.KafkaConnection;
import io.finsent.encoder.Encoder;
import io.finsent.encoder.EncoderOptions;
import io.finsent.local.LocalStack;
import io.finsent.local.testing.LocalStackExtension;
import io.finsent.schema.RawText;
import io.finsent.schema.ScoredText;
import io.finsent.schema.TopicTrendWindow;
import io.finsent.scoring.EncoderTextScorer;
import io.finsent.scoring.ScorerMetrics;
import io.finsent.scoring.ScorerRoute;
import io.finsent.scoring.ScorerSettings;
import io.finsent.scoring.ScorerTopology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Replay equals live: a stream processed "live" (scoring and trend topologies, 1 thread, batches of 256) and replayed
 * twice with other batch sizes and thread counts gives bit-identical scored texts, identical trend windows and
 * identical alerts (the rule evaluator run over each run's windows, as the alerting service does). Also: deleting
 * an unknown run is an error.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ReplayIntegrationTest {

    private static final Instant T0 = Instant.parse("2015-06-01T09:00:00Z");
    private static final Instant FROM = T0.minusSeconds(60);
    private static final Instant TO = T0.plus(Duration.ofMinutes(40));
    private static final String[] TICKERS = {"ACME", "GLOBEX", "INITECH"};
    private static final String[] CALM = {"Acme reports flat quarterly sales .", "Globex holds its annual general meeting in May .",
            "Initech names a new chief financial officer .", "Acme wins a EUR 40 mn contract .", "Globex beats revenue forecasts ."};
    private static final String[] BAD = {"Acme shares slump after a profit warning .", "Acme misses estimates and cuts 1,200 jobs .",
            "Regulators open a fraud probe into Acme ."};

    @TempDir
    Path dir;

    private final String id = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void aReplayWithOtherBatchSizesAndThreadCountsEqualsLive(LocalStack stack) throws Exception {
        String bootstrap = stack.bootstrapServers();
        String raw = "it-" + id + ".raw";
        String liveScored = "it-" + id + ".scored";
        String liveDead = "it-" + id + ".dlq";
        String liveRun = "it-live-" + id;
        ReplayTestTexts.createTopics(bootstrap, raw, liveScored, liveDead);
        // Given topics defined by ticker, and 40 minutes of texts: calm ones on three topics, a surge of bad news on one,
        // published out of order within each partition (by up to 90 s)
        ReplayTestTexts.defineTopics(bootstrap, T0, TICKERS);
        List<RawText> texts = texts();
        ReplayTestTexts.produce(bootstrap, raw, texts);
        Set<String> expectedWindows = new HashSet<>();
        texts.forEach(t -> expectedWindows.add(t.getTickers().get(0).toLowerCase() + "@" + t.getPublishedAt().toEpochMilli() / 60_000));

        // When the stream is processed live: 1 thread, batches of 256, windows of 1 minute. Live would see the texts arrive over
        // 40 minutes; here they are a backlog, so the grace covers the range, as a replay's does by default.
        TrendSettings liveTrends = new TrendSettings(liveRun, Duration.ofMinutes(1), Duration.between(FROM, TO).plusMinutes(1), liveScored, liveDead);
        try (Encoder encoder = Encoder.open(TestModel.directory(), EncoderOptions.defaults().withPaddingMultiple(1))) {
            ScorerSettings settings = new ScorerSettings(256, 16_384, Duration.ofMillis(500), 200_000);
            try (KafkaStreams scorer = new KafkaStreams(ScorerTopology.build(settings, new ScorerRoute(raw, liveScored, liveDead, null, null),
                    new EncoderTextScorer(encoder), new ScorerMetrics(new SimpleMeterRegistry())), config("it-live-scorer-" + id, bootstrap, dir));
                 KafkaStreams trends = new KafkaStreams(TrendTopology.build(liveTrends), config("it-live-trends-" + id, bootstrap, dir))) {
                scorer.start();
                trends.start();
                awaitScored(bootstrap, liveScored, texts.size());
                // Live never ends; the test's input does: the same end-of-input marker as a replay closes its last windows.
                Kafka.writeMarkers(KafkaConnection.to(bootstrap), liveScored, EndOfInput.timestamp(TO, liveTrends));
                awaitWindows(bootstrap, liveRun, expectedWindows.size());
            }
        }

        // And replayed twice: batches of 7 on 3 threads, batches of 64 on 1 thread
        ReplayOptions base = ReplayOptions.of("it-replay-a-" + id, FROM, TO, bootstrap, TestModel.directory(), dir.resolve("a")).withSourceTopic(raw);
        ReplayReport a = Replay.run(base.withMaxBatch(7).withThreads(3));
        ReplayReport b = Replay.run(new ReplayOptions("it-replay-b-" + id, FROM, TO, List.of(), raw, bootstrap, null, null, 1, 64,
                null, Duration.ofMinutes(1), TestModel.directory(), dir.resolve("b"), Duration.ZERO));

        // Then every run scored every text, bit for bit the same
        Map<String, ScoredText> live = ScoredRecords.read(bootstrap, liveScored, FROM, TO);
        assertThat(live).hasSize(texts.size());
        assertThat(DeadLetterCounts.count(bootstrap, liveDead, null, null)).as("live: no dead letters, none late").containsExactly(0, 0);
        for (ReplayReport replay : List.of(a, b)) {
            assertThat(replay.inputRecords()).isEqualTo(texts.size());
            assertThat(replay.late()).isZero();
            List<String> differences = new ArrayList<>();
            RunComparison.compareScored(live, ScoredRecords.read(bootstrap, RunTopics.scored(replay.runId()), FROM, TO), differences);
            assertThat(differences).as("scored texts of %s", replay.runId()).isEmpty();
        }
        // And the same trend windows, every field
        List<TopicTrendWindow> liveWindows = ReplayTestTexts.withoutRun(TrendRecords.read(bootstrap, liveRun, null, null));
        assertThat(liveWindows).hasSize(expectedWindows.size());
        assertThat(liveWindows.stream().mapToLong(TopicTrendWindow::getCount).sum()).as("each text in one window of its topic").isEqualTo(texts.size());
        for (ReplayReport replay : List.of(a, b)) {
            assertThat(replay.trendWindows()).isEqualTo(expectedWindows.size());
            assertThat(ReplayTestTexts.withoutRun(TrendRecords.read(bootstrap, replay.runId(), null, null))).as("trend windows of %s", replay.runId())
                    .isEqualTo(liveWindows);
        }
        // And the same alerts, under the default and a sensitive rule set; the surge fires at least one
        Map<String, RuleParams> sets = Map.of("default", RuleParams.defaults(), "sensitive",
                RuleParams.fromJson("{\"baselineWindows\": 10, \"minBaselineWindows\": 3, \"pendingWindows\": 0, \"minVolume\": 3,"
                        + " \"volumeMinCount\": 5}"));
        List<AlertTransition> liveAlerts = alerts(liveWindows, sets);
        assertThat(liveAlerts).anyMatch(t -> t.state() == io.finsent.schema.AlertState.FIRING && t.topic().equals("acme"));
        for (ReplayReport replay : List.of(a, b)) {
            assertThat(alerts(ReplayTestTexts.withoutRun(TrendRecords.read(bootstrap, replay.runId(), null, null)), sets)).isEqualTo(liveAlerts);
        }

        // And a replay is deleted with its topics and groups; then it is unknown
        RunDeletion.Result deleted = RunDeletion.delete(bootstrap, null, null, a.runId());
        assertThat(deleted.topics()).contains(RunTopics.scored(a.runId()), RunTopics.deadLetters(a.runId()));
        assertThat(deleted.groups()).containsExactlyInAnyOrder(RunTopics.scorerApplication(a.runId()), RunTopics.trendApplication(a.runId()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunDeletion.delete(bootstrap, null, null, "never-ran-" + id))
                .isInstanceOf(ReplayException.class).hasMessageContaining("no run 'never-ran-" + id + "'");
    }

    private static List<AlertTransition> alerts(List<TopicTrendWindow> windows, Map<String, RuleParams> sets) {
        BacktestReport report = Backtest.run("compared", windows.stream().map(TrendPoint::of).toList(), sets);
        List<AlertTransition> all = new ArrayList<>();
        report.ruleSets().forEach(s -> s.topics().forEach(t -> all.addAll(t.timeline())));
        return all;
    }

    private static List<RawText> texts() {
        Random random = new Random(7);
        List<RawText> texts = new ArrayList<>();
        for (int i = 0; i < 360; i++) {
            Instant at = T0.plusMillis(random.nextInt(40 * 60_000));
            String ticker = TICKERS[i % TICKERS.length];
            texts.add(ReplayTestTexts.raw("calm-" + i, at, CALM[random.nextInt(CALM.length)] + " #" + i, ticker));
        }
        for (int i = 0; i < 40; i++) {
            // The surge: minute 30 to 32 of Acme
            texts.add(ReplayTestTexts.raw("surge-" + i, T0.plus(Duration.ofMinutes(30)).plusMillis(random.nextInt(120_000)), BAD[i % BAD.length] + " #" + i, "ACME"));
        }
        return texts;
    }

    private static Properties config(String applicationId, String bootstrap, Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        props.put(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION, 0L);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(applicationId).toString());
        return props;
    }

    private static void awaitScored(String bootstrap, String topic, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            seen = ScoredRecords.read(bootstrap, topic, FROM, TO).size();
            if (seen >= expected) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("only " + seen + " of " + expected + " texts were scored live");
    }

    private static void awaitWindows(String bootstrap, String run, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            seen = TrendRecords.read(bootstrap, run, null, null).size();
            if (seen >= expected) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("only " + seen + " of " + expected + " live windows closed");
    }
}
