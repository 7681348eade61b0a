package io.finsent.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.finsent.alerting.trends.TrendPoint;
import io.finsent.schema.AlertEvent;
import io.finsent.schema.AlertState;
import io.finsent.schema.Severity;

/**
 * The rules on hand-made windows: each rule fires on its own kind of surge and only after a baseline; the
 * lifecycle goes pending → firing → resolved, ignores redelivered windows and counts missing windows as empty;
 * a state saved as JSON and read back continues exactly as the original.
 */
class RuleEvaluatorTest {

    private static final String TOPIC = "acme";
    private static final String RUN = "live";
    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.parse("2025-03-03T09:00:00Z").toEpochMilli();

    private final RuleEvaluator evaluator = new RuleEvaluator("default", RuleParams.defaults());
    private final TopicRuleState state = TopicRuleState.empty(TOPIC);

    private static TrendPoint window(int minute, long count, long negative, double meanScore) {
        long positive = (count - negative) / 2;
        return new TrendPoint(TOPIC, T0 + minute * MINUTE, MINUTE, count, negative, count - negative - positive, positive, meanScore, 0.5);
    }

    /** 20 texts, 20% negative, mean score +0.1. */
    private static TrendPoint calm(int minute) {
        return window(minute, 20, 4, 0.1);
    }

    private List<AlertTransition> feed(TrendPoint w) {
        return evaluator.onWindow(RUN, state, w);
    }

    private void calmUntil(int minutes) {
        for (int m = 0; m < minutes; m++) {
            assertThat(feed(calm(m))).isEmpty();
        }
    }

    @Test
    void aNegativeSurgeGoesPendingThenFiringThenResolved() {
        calmUntil(10);

        List<AlertTransition> first = feed(window(10, 20, 16, 0.1));
        List<AlertTransition> second = feed(window(11, 20, 17, 0.1));
        List<AlertTransition> third = feed(window(12, 20, 16, 0.1));
        List<AlertTransition> after = feed(calm(13));

        assertThat(first).singleElement().satisfies(t -> {
            assertThat(t.rule()).isEqualTo(RuleKind.NEGATIVE_SHARE);
            assertThat(t.state()).isEqualTo(AlertState.PENDING);
            assertThat(t.observed()).isEqualTo(0.8);
            assertThat(t.baseline()).isEqualTo(0.2);
            assertThat(t.threshold()).isBetween(0.2, 0.8);
            assertThat(t.windowStart()).isEqualTo(T0 + 10 * MINUTE);
            assertThat(t.eventTime()).isEqualTo(T0 + 11 * MINUTE);
            assertThat(t.message()).contains("acme", "negative share", "80.0%", "baseline 20.0%");
        });
        assertThat(second).singleElement().satisfies(t -> {
            assertThat(t.state()).isEqualTo(AlertState.FIRING);
            assertThat(t.windowStart()).isEqualTo(T0 + 11 * MINUTE);
        });
        assertThat(third).as("firing stays quiet").isEmpty();
        assertThat(after).singleElement().satisfies(t -> {
            assertThat(t.state()).isEqualTo(AlertState.RESOLVED);
            assertThat(t.severity()).isEqualTo(second.get(0).severity());
        });
        String id = RuleEvaluator.alertId(RUN, "default", RuleKind.NEGATIVE_SHARE, TOPIC, T0 + 10 * MINUTE);
        assertThat(List.of(first.get(0), second.get(0), after.get(0))).extracting(AlertTransition::alertId).containsOnly(id);
        assertThat(state.phase(RuleKind.NEGATIVE_SHARE)).isEqualTo(AlertPhase.INACTIVE);
    }

    @Test
    void nothingFiresBeforeTheBaselineHoldsEnoughWindows() {
        calmUntil(3);
        for (int m = 3; m < 8; m++) {
            assertThat(feed(window(m, 200, 190, -0.9))).as("minute %d", m).isEmpty();
        }
    }

    @Test
    void smallWindowsAreNotJudgedByShareOrScore() {
        calmUntil(10);
        assertThat(feed(window(10, 9, 9, -1))).isEmpty();
        assertThat(feed(window(11, 9, 9, -1))).isEmpty();
    }

    @Test
    void aPendingAlertThatStopsHoldingIsDroppedSilentlyAndTheNextEpisodeHasANewId() {
        calmUntil(10);
        AlertTransition pending = feed(window(10, 20, 16, 0.1)).get(0);
        assertThat(feed(calm(11))).isEmpty();
        assertThat(state.phase(RuleKind.NEGATIVE_SHARE)).isEqualTo(AlertPhase.INACTIVE);

        AlertTransition again = feed(window(12, 20, 16, 0.1)).get(0);
        assertThat(again.state()).isEqualTo(AlertState.PENDING);
        assertThat(again.alertId()).isNotEqualTo(pending.alertId());
    }

    @Test
    void aScoreDropFiresOnItsOwn() {
        calmUntil(10);
        assertThat(feed(window(10, 20, 4, -0.2))).as("a drop of 0.3 is within the noise of 20 texts").isEmpty();
        assertThat(feed(window(11, 20, 4, -0.5))).singleElement()
                .satisfies(t -> assertThat(List.of(t.rule(), t.state())).containsExactly(RuleKind.SCORE_DROP, AlertState.PENDING));
        assertThat(feed(window(12, 20, 4, -0.6))).singleElement()
                .satisfies(t -> assertThat(t.state()).isEqualTo(AlertState.FIRING));
    }

    @Test
    void aVolumeSpikeFiresOnItsOwn() {
        calmUntil(10);
        assertThat(evaluator.onWindow(RUN, TopicRuleState.fromJson(state.toJson()), window(10, 60, 12, 0.1)))
                .as("3 x 20 is not above the threshold").isEmpty();
        assertThat(feed(window(10, 61, 12, 0.1))).singleElement().satisfies(t -> {
            assertThat(t.rule()).isEqualTo(RuleKind.VOLUME_SPIKE);
            assertThat(t.threshold()).isEqualTo(60.0);
            assertThat(t.baseline()).isEqualTo(20.0);
        });
    }

    @Test
    void severityGrowsWithTheExcessOverTheThreshold() {
        calmUntil(10);
        RuleEvaluator fast = new RuleEvaluator("fast", RuleParams.fromJson("{\"pendingWindows\": 0}"));
        List<AlertTransition> transitions = fast.onWindow(RUN, TopicRuleState.fromJson(state.toJson()), window(10, 400, 400, 0.1));
        assertThat(transitions).filteredOn(t -> t.rule() == RuleKind.NEGATIVE_SHARE).singleElement().satisfies(t -> {
            assertThat(t.state()).as("no pending window").isEqualTo(AlertState.FIRING);
            assertThat(t.severity()).isEqualTo(Severity.CRITICAL);
        });
        assertThat(transitions).filteredOn(t -> t.rule() == RuleKind.VOLUME_SPIKE).singleElement()
                .satisfies(t -> assertThat(t.severity()).isEqualTo(Severity.CRITICAL));

        TrendPoint justPast = window(10, 20, 14, 0.1);
        AlertTransition mild = fast.onWindow(RUN, TopicRuleState.fromJson(state.toJson()), justPast).get(0);
        assertThat(mild.severity()).isEqualTo(Severity.INFO);
        assertThat((mild.observed() - mild.baseline()) / (mild.threshold() - mild.baseline())).isBetween(1.0, 1.5);
    }

    @Test
    void aLongSurgeNeverBecomesItsOwnBaseline() {
        calmUntil(10);
        int baselineBefore = state.baselineWindows(RuleKind.NEGATIVE_SHARE);
        List<AlertTransition> all = new ArrayList<>();
        for (int m = 10; m < 100; m++) {
            all.addAll(feed(window(m, 20, 16, 0.1)));
        }
        assertThat(all).extracting(AlertTransition::state).containsExactly(AlertState.PENDING, AlertState.FIRING);
        assertThat(state.baselineWindows(RuleKind.NEGATIVE_SHARE)).isEqualTo(baselineBefore);
        assertThat(state.phase(RuleKind.NEGATIVE_SHARE)).isEqualTo(AlertPhase.FIRING);
        assertThat(state.episodeStart(RuleKind.NEGATIVE_SHARE)).isEqualTo(T0 + 10 * MINUTE);
    }

    @Test
    void aRedeliveredWindowChangesNothing() {
        calmUntil(10);
        feed(window(10, 20, 16, 0.1));
        String before = state.toJson();

        assertThat(feed(window(10, 20, 16, 0.1))).isEmpty();
        assertThat(feed(window(10, 20, 20, 0.1))).isEmpty();
        assertThat(feed(calm(5))).isEmpty();
        assertThat(state.toJson()).isEqualTo(before);
        assertThat(state.lastWindowStart()).isEqualTo(T0 + 10 * MINUTE);
    }

    @Test
    void missingWindowsCountAsEmptyAndResolveWhatFired() {
        calmUntil(10);
        feed(window(10, 20, 16, 0.1));
        feed(window(11, 20, 16, 0.1));
        int volumeBaseline = state.baselineWindows(RuleKind.VOLUME_SPIKE);
        int shareBaseline = state.baselineWindows(RuleKind.NEGATIVE_SHARE);

        List<AlertTransition> afterGap = feed(calm(15));

        assertThat(afterGap).singleElement().satisfies(t -> {
            assertThat(t.state()).isEqualTo(AlertState.RESOLVED);
            assertThat(t.windowStart()).as("the first missing window").isEqualTo(T0 + 12 * MINUTE);
            assertThat(t.observed()).isEqualTo(0.0);
        });
        assertThat(state.baselineWindows(RuleKind.VOLUME_SPIKE)).as("3 empty windows and the calm one").isEqualTo(volumeBaseline + 4);
        assertThat(state.baselineWindows(RuleKind.NEGATIVE_SHARE)).as("empty windows say nothing of a share").isEqualTo(shareBaseline + 1);
    }

    @Test
    void aLongGapGivesWhatFeedingEveryEmptyWindowGives() {
        TopicRuleState skipping = TopicRuleState.empty(TOPIC);
        TopicRuleState stepping = TopicRuleState.empty(TOPIC);
        for (int m = 0; m < 12; m++) {
            evaluator.onWindow(RUN, skipping, m < 10 ? calm(m) : window(m, 80, 70, -0.5));
            evaluator.onWindow(RUN, stepping, m < 10 ? calm(m) : window(m, 80, 70, -0.5));
        }
        List<AlertTransition> stepped = new ArrayList<>();
        for (int m = 12; m < 500; m++) {
            stepped.addAll(evaluator.onWindow(RUN, stepping, TrendPoint.empty(TOPIC, T0 + m * MINUTE, MINUTE)));
        }
        stepped.addAll(evaluator.onWindow(RUN, stepping, window(500, 20, 4, 0.1)));

        List<AlertTransition> skipped = evaluator.onWindow(RUN, skipping, window(500, 20, 4, 0.1));

        assertThat(stepped).hasSize(3).extracting(AlertTransition::state).containsOnly(AlertState.RESOLVED);
        assertThat(skipped).isEqualTo(stepped);
        assertThat(skipping.toJson()).isEqualTo(stepping.toJson());
    }

    @Test
    void windowsOfAnotherTopicOrSizeOrMisalignedAreRejected() {
        feed(calm(0));
        assertThatIllegalArgumentException().isThrownBy(() -> feed(new TrendPoint("globex", T0 + MINUTE, MINUTE, 1, 0, 1, 0, 0, 0)))
                .withMessageContaining("globex").withMessageContaining("acme");
        assertThatIllegalArgumentException().isThrownBy(() -> feed(new TrendPoint(TOPIC, T0 + 5 * MINUTE, 5 * MINUTE, 1, 0, 1, 0, 0, 0)))
                .withMessageContaining("size");
        assertThatIllegalArgumentException().isThrownBy(() -> feed(new TrendPoint(TOPIC, T0 + MINUTE + 1, MINUTE, 1, 0, 1, 0, 0, 0)))
                .withMessageContaining("not aligned");
        assertThatIllegalArgumentException().isThrownBy(() -> feed(new TrendPoint(TOPIC, T0 + MINUTE, MINUTE, 1, 0, 1, 0, Double.NaN, 0)))
                .withMessageContaining("impossible");
    }

    @Test
    void aStateSavedAndReadBackAfterEveryWindowGivesTheSameTransitions() {
        Random random = new Random(7);
        List<TrendPoint> windows = new ArrayList<>();
        for (int m = 0; m < 400; m++) {
            if (random.nextInt(20) == 0) {
                continue;
            }
            boolean surge = m % 97 >= 60 && m % 97 < 64;
            long count = surge ? 150 + random.nextInt(50) : 5 + random.nextInt(20);
            long negative = surge ? count * 3 / 4 : Math.round(count * 0.2 * random.nextDouble() * 2);
            double mean = surge ? -0.5 + random.nextGaussian() * 0.05 : 0.1 + random.nextGaussian() * 0.1;
            windows.add(new TrendPoint(TOPIC, T0 + m * MINUTE, MINUTE, count, negative, (count - negative) / 2,
                    count - negative - (count - negative) / 2, mean, 0.3 + random.nextDouble() * 0.3));
        }
        TopicRuleState kept = TopicRuleState.empty(TOPIC);
        String saved = TopicRuleState.empty(TOPIC).toJson();
        List<AlertTransition> straight = new ArrayList<>();
        List<AlertTransition> roundTripped = new ArrayList<>();
        for (TrendPoint w : windows) {
            straight.addAll(evaluator.onWindow(RUN, kept, w));
            TopicRuleState restored = TopicRuleState.fromJson(saved);
            roundTripped.addAll(evaluator.onWindow(RUN, restored, w));
            saved = restored.toJson();
            assertThat(TopicRuleState.fromJson(saved).toJson()).isEqualTo(saved);
        }
        assertThat(straight).extracting(AlertTransition::rule).contains(RuleKind.NEGATIVE_SHARE, RuleKind.SCORE_DROP, RuleKind.VOLUME_SPIKE);
        assertThat(roundTripped).isEqualTo(straight);
        assertThat(saved).isEqualTo(kept.toJson());
        assertThat(TopicRuleState.fromJson(saved)).isEqualTo(kept);
    }

    @Test
    void aStateFromBrokenJsonIsRejectedWithTheReason() {
        assertThatIllegalArgumentException().isThrownBy(() -> TopicRuleState.fromJson("{\"topic\": \"acme\"}"))
                .withMessageContaining("windowSizeMs");
        String json = state.toJson().replace("\"INACTIVE\"", "\"ASLEEP\"");
        assertThatIllegalArgumentException().isThrownBy(() -> TopicRuleState.fromJson(json)).withMessageContaining("ASLEEP");
        assertThat(TopicRuleState.empty(TOPIC).lastWindowStart()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void warmingBuildsTheBaselineButAnnouncesNothing() {
        List<TrendPoint> history = new ArrayList<>();
        for (int m = 11; m >= 0; m--) {
            history.add(m < 10 ? calm(m) : window(m, 20, 16, 0.1));
        }
        evaluator.warm(state, history);

        assertThat(state.lastWindowStart()).isEqualTo(T0 + 11 * MINUTE);
        assertThat(state.baselineWindows(RuleKind.NEGATIVE_SHARE)).as("the surge in the history stays out").isEqualTo(10);
        assertThat(state.phase(RuleKind.NEGATIVE_SHARE)).isEqualTo(AlertPhase.INACTIVE);
        assertThat(feed(window(12, 20, 16, 0.1))).singleElement().satisfies(t -> assertThat(t.state()).isEqualTo(AlertState.PENDING));
    }

    @Test
    void aTransitionBecomesAnAlertEventWithItsRuleSet() {
        AlertTransition t = new AlertTransition("abc", RUN, "rs-0123456789ab", RuleKind.SCORE_DROP, TOPIC, Severity.WARNING, AlertState.FIRING,
                T0, MINUTE, -0.5, 0.1, -0.2, "dropped", T0 + MINUTE);
        AlertEvent event = t.toAvro();
        assertThat(event.getAlertId()).isEqualTo("abc");
        assertThat(event.getRuleSet()).isEqualTo("rs-0123456789ab");
        assertThat(event.getRule()).isEqualTo("SCORE_DROP");
        assertThat(event.getWindowStart()).isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(event.getEventTime()).isEqualTo(Instant.ofEpochMilli(T0 + MINUTE));
        assertThat(List.of(event.getObserved(), event.getBaseline(), event.getThreshold())).containsExactly(-0.5, 0.1, -0.2);
        assertThat(AlertEvent.newBuilder(event).clearRuleSet().build().getRuleSet()).as("schema default").isEqualTo("default");
    }
}
