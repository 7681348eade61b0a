package io.finsent.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.finsent.common.KafkaConnection;
import io.finsent.common.Topics;
import io.finsent.local.LocalStack;
import io.finsent.local.testing.LocalStackExtension;
import io.finsent.schema.RawText;
import io.finsent.schema.TopicTrendWindow;

/**
 * Cancel and resume: a replay cancelled part-way and run again under the same run id ends with exactly what an
 * uninterrupted replay of the same range gives (scored texts bit for bit, trend windows field by field), each text
 * and each window once (read_committed): nothing scored twice, nothing lost.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ReplayResumeIntegrationTest {

    private static final Instant FROM = Instant.parse("2014-03-03T09:00:00Z");
    private static final Instant TO = FROM.plus(Duration.ofMinutes(20));
    private static final String[] TICKERS = {"HOOLI", "UMBRELLA", "VANDELAY"};
    private static final String[] BODIES = {"Hooli beats revenue forecasts .", "Umbrella faces a regulatory probe .",
            "Vandelay announces a share buyback .", "Hooli delays its product launch .", "Umbrella reports flat quarterly sales ."};
    /**
     * Enough that scoring spans many commits (every 200 ms) whatever the machine: with 150, a fast run committed them all
     * before the first progress report saw a part (CI, once), so nothing was cancelled part-way.
     */
    private static final int TEXTS = 600;

    @TempDir
    Path dir;

    private final String id = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void aReplayCancelledPartWayAndResumedEqualsAnUninterruptedOne(LocalStack stack) throws Exception {
        String bootstrap = stack.bootstrapServers();
        String raw = "it-" + id + ".resume.raw";
        ReplayTestTexts.createTopics(bootstrap, raw);
        ReplayTestTexts.defineTopics(bootstrap, FROM, TICKERS);
        List<RawText> texts = texts();
        ReplayTestTexts.produce(bootstrap, raw, texts);

        // Given an uninterrupted replay of the range
        ReplayReport whole = Replay.run(ReplayOptions.of("it-whole-" + id, FROM, TO, bootstrap, TestModel.directory(), dir.resolve("whole"))
                .withSourceTopic(raw));

        // When a replay of the same range is cancelled once some of it is committed (small batches: many commits)
        String cut = "it-cut-" + id;
        ReplayOptions cutOptions = ReplayOptions.of(cut, FROM, TO, bootstrap, TestModel.directory(), dir.resolve("cut")).withSourceTopic(raw)
                .withMaxBatch(4);
        AtomicLong doneAtCancel = new AtomicLong(-1);
        AtomicReference<Replay> first = new AtomicReference<>();
        first.set(new Replay(cutOptions, new Replay.Listener() {
            @Override
            public void progress(long done, long total) {
                if (done > 0 && done < total && doneAtCancel.compareAndSet(-1, done)) {
                    first.get().cancel();
                }
            }
        }));
        assertThatThrownBy(() -> first.get().run()).isInstanceOf(ReplayCancelledException.class).hasMessageContaining("resume");
        assertThat(doneAtCancel.get()).as("committed when cancelled").isBetween(1L, TEXTS - 1L);
        assertThat(ScoredRecords.read(bootstrap, RunTopics.scored(cut), FROM, TO)).as("scored before the resume").hasSizeLessThan(TEXTS);

        // And run again with the same run id (another batch size: it never changes a result)
        ReplayReport resumed = Replay.run(cutOptions.withMaxBatch(64));

        // Then it resumed, and scored each text once, bit for bit as the uninterrupted replay
        assertThat(resumed.resumed()).isTrue();
        assertThat(whole.resumed()).isFalse();
        Map<String, Integer> times = ScoredRecords.timesById(bootstrap, RunTopics.scored(cut), FROM, TO);
        assertThat(times).as("scored texts by id").hasSize(TEXTS);
        assertThat(times.values()).as("times each text was scored").containsOnly(1);
        List<String> differences = new ArrayList<>();
        RunComparison.compareScored(ScoredRecords.read(bootstrap, RunTopics.scored(whole.runId()), FROM, TO),
                ScoredRecords.read(bootstrap, RunTopics.scored(cut), FROM, TO), differences);
        assertThat(differences).isEmpty();
        // And the same trend windows, each written once
        List<TopicTrendWindow> wholeWindows = ReplayTestTexts.withoutRun(TrendRecords.read(bootstrap, whole.runId(), null, null));
        assertThat(wholeWindows.stream().mapToLong(TopicTrendWindow::getCount).sum()).as("each text in one window").isEqualTo(TEXTS);
        assertThat(ReplayTestTexts.withoutRun(TrendRecords.read(bootstrap, cut, null, null))).isEqualTo(wholeWindows);
        assertThat(trendRecordsByKey(bootstrap, cut).values()).as("records per window of the resumed run").hasSize(wholeWindows.size())
                .containsOnly(1);
        assertThat(resumed.trendWindows()).isEqualTo(whole.trendWindows());
    }

    private static List<RawText> texts() {
        Random random = new Random(3);
        List<RawText> texts = new ArrayList<>();
        for (int i = 0; i < TEXTS; i++) {
            Instant at = FROM.plusMillis(random.nextInt((int) Duration.between(FROM, TO).toMillis()));
            texts.add(ReplayTestTexts.raw("resume-" + i, at, BODIES[random.nextInt(BODIES.length)] + " #" + i, TICKERS[i % TICKERS.length]));
        }
        return texts;
    }

    /** How many committed records topic.trends holds per window key of the run (compaction aside, which a fresh test topic never saw). */
    private static Map<String, Integer> trendRecordsByKey(String bootstrap, String run) {
        Map<String, Integer> byKey = new TreeMap<>();
        Kafka.readAll(KafkaConnection.to(bootstrap), Topics.TOPIC_TRENDS.name(), r -> {
            String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
            if (key.startsWith(run + "|")) {
                byKey.merge(key, 1, Integer::sum);
            }
        });
        return byKey;
    }
}
