package io.finsent.alerting.rules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import io.finsent.alerting.trends.TrendPoint;
import io.finsent.schema.AlertState;
import io.finsent.schema.Severity;

/**
 * Evaluates one rule set on one topic's closed windows, in event-time order. Pure: the transitions depend
 * only on the windows fed in and the parameters, never on the wall clock, so live, replay and backtest agree.
 *
 * <h2>Rules</h2>
 * Each rule's baseline is the last {@code baselineWindows} windows in which that rule's condition did not hold
 * (windows while it was pending or firing are left out, so a long surge never becomes its own baseline); the
 * share and score rules use non-empty windows only. No rule holds before its baseline has
 * {@code minBaselineWindows} windows.
 * <ul>
 * <li>NEGATIVE_SHARE: p = pooled baseline share (Σ negative / Σ count). The window's expected spread is
 *     σ = max(√(e + q(1−q)/n), floor), where q(1−q)/n is the binomial variance of a share over n texts (q: the
 *     baseline share smoothed as (Σ negative + 1) / (Σ count + 2)) and e the variance of the true share between
 *     baseline windows beyond binomial noise (a robust DerSimonian-Laird estimate, see
 *     {@code betweenWindowVariance}). Holds when n ≥ minVolume and share &gt; p + k·σ.</li>
 * <li>SCORE_DROP: M = pooled baseline mean score, s = pooled per-text standard deviation. Holds when
 *     n ≥ minVolume and mean &lt; M − max(scoreDrop, scoreDropSigmas·s/√n).</li>
 * <li>VOLUME_SPIKE: μ = mean count of the baseline windows (empty ones included). Holds when
 *     count &gt; max(μ·volumeFactor, volumeMinCount).</li>
 * </ul>
 * Severity compares the excess over the baseline with the threshold's: ratio = (observed − baseline) /
 * (threshold − baseline); CRITICAL from {@code criticalRatio}, WARNING from {@code warningRatio}, else INFO.
 *
 * <h2>Lifecycle (as Alertmanager)</h2>
 * Condition holds on an inactive rule: PENDING, announced once (or FIRING at once when {@code pendingWindows} is
 * 0); holds for {@code pendingWindows} more windows in a row: FIRING; stops holding: FIRING becomes RESOLVED,
 * PENDING becomes inactive with no transition (as Alertmanager drops an inactive pending alert). One alert per
 * (rule set, rule, topic) at a time; its id hashes (run, rule set, rule, topic, first window of the episode). A
 * FIRING alert emits nothing more until it resolves (no re-notification on a change of severity). Windows
 * missing between two fed windows count as empty: an empty window holds no rule, so it resolves what fired.
 */
public final class RuleEvaluator {

    /** A baseline window counts in the between-window variance as at most this many binomial sigmas from p (Huber-style clipping). */
    static final double OUTLIER_Z = 2.0;

    private final String ruleSetId;
    private final RuleParams params;

    public RuleEvaluator(String ruleSetId, RuleParams params) {
        if (ruleSetId == null || ruleSetId.isBlank()) {
            throw new IllegalArgumentException("a rule set needs an id (RuleParams.id())");
        }
        this.ruleSetId = ruleSetId;
        this.params = params;
    }

    public String ruleSetId() {
        return ruleSetId;
    }

    public RuleParams params() {
        return params;
    }

    /**
     * Feeds the next closed window of {@code state}'s topic. Windows missing between the last one and this
     * one count as empty. A window at or before {@link TopicRuleState#lastWindowStart()} changes nothing and
     * returns no transitions (a redelivery).
     *
     * @return the lifecycle changes this window causes (PENDING, FIRING, RESOLVED), in a stable order
     * @throws IllegalArgumentException for a window of another topic or window size, or one not aligned with
     *                                  the windows before it
     */
    public List<AlertTransition> onWindow(String runId, TopicRuleState state, TrendPoint window) {
        check(state, window);
        long last = state.lastWindowStart();
        if (last != Long.MIN_VALUE && window.windowStart() <= last) {
            return List.of();
        }
        List<AlertTransition> out = new ArrayList<>();
        long size = window.windowSizeMs();
        if (last != Long.MIN_VALUE) {
            long missing = (window.windowStart() - last) / size - 1;
            // After one empty window nothing is pending or firing, and after baselineWindows of them the volume
            // baseline is all zeros: further empty windows change nothing, so they are not evaluated one by one.
            long evaluated = Math.min(missing, params.baselineWindows() + 1L);
            for (long i = 1; i <= evaluated; i++) {
                evaluate(runId, state, TrendPoint.empty(state.topic(), last + i * size, size), out);
            }
        }
        evaluate(runId, state, window, out);
        state.advance(window.windowStart(), size);
        return out;
    }

    /**
     * Feeds history to build a baseline without producing transitions (a rule set added to a topic with history).
     * Windows are taken in start order; episodes in the history are not announced, so every rule ends inactive
     * (a surge still on when live evaluation starts becomes a new PENDING), but their windows stay out of the
     * baselines.
     */
    public void warm(TopicRuleState state, List<TrendPoint> history) {
        List<TrendPoint> ordered = new ArrayList<>(history);
        ordered.sort(Comparator.comparingLong(TrendPoint::windowStart));
        for (TrendPoint window : ordered) {
            onWindow("warm", state, window);
        }
        for (RuleKind rule : RuleKind.values()) {
            state.track(rule).deactivate();
        }
    }

    private void check(TopicRuleState state, TrendPoint w) {
        if (!state.topic().equals(w.topic())) {
            throw new IllegalArgumentException("window of topic '" + w.topic() + "' fed to the rule state of topic '" + state.topic() + "'");
        }
        if (w.windowSizeMs() <= 0) {
            throw new IllegalArgumentException("window of " + w.topic() + " at " + w.windowStart() + " has size " + w.windowSizeMs());
        }
        if (w.count() < 0 || w.negative() < 0 || w.neutral() < 0 || w.positive() < 0 || w.negative() > w.count()
                || !Double.isFinite(w.meanScore()) || !Double.isFinite(w.scoreStddev())) {
            throw new IllegalArgumentException("window of " + w.topic() + " at " + Instant.ofEpochMilli(w.windowStart()) + " has impossible values: " + w);
        }
        if (state.lastWindowStart() == Long.MIN_VALUE) {
            return;
        }
        if (w.windowSizeMs() != state.windowSizeMs()) {
            throw new IllegalArgumentException("window of " + w.topic() + " has size " + w.windowSizeMs() + " ms but the rule state holds "
                    + state.windowSizeMs() + " ms windows; start a new rule state to change the window size");
        }
        if (Math.floorMod(w.windowStart() - state.lastWindowStart(), w.windowSizeMs()) != 0) {
            throw new IllegalArgumentException("window of " + w.topic() + " at " + Instant.ofEpochMilli(w.windowStart())
                    + " is not aligned with the previous one at " + Instant.ofEpochMilli(state.lastWindowStart()));
        }
    }

    private void evaluate(String runId, TopicRuleState state, TrendPoint w, List<AlertTransition> out) {
        for (RuleKind rule : RuleKind.values()) {
            RuleTrack track = state.track(rule);
            Assessment a = assess(rule, track.baseline, w);
            transition(runId, state.topic(), rule, track, a, w, out);
            if (!a.holds && (rule == RuleKind.VOLUME_SPIKE || w.count() > 0)) {
                track.remember(WindowSample.of(w), params.baselineWindows());
            }
        }
    }

    private void transition(String runId, String topic, RuleKind rule, RuleTrack track, Assessment a, TrendPoint w, List<AlertTransition> out) {
        if (a.holds) {
            if (track.phase == AlertPhase.FIRING) {
                return;
            }
            boolean starts = track.phase == AlertPhase.INACTIVE;
            if (starts) {
                track.phase = AlertPhase.PENDING;
                track.episodeStart = w.windowStart();
                track.trueWindows = 1;
            } else {
                track.trueWindows++;
            }
            Severity severity = severity(a.ratio);
            if (track.trueWindows > params.pendingWindows()) {
                track.phase = AlertPhase.FIRING;
                track.severity = severity;
                out.add(transition(runId, topic, rule, track, AlertState.FIRING, severity, a, w));
            } else if (starts) {
                out.add(transition(runId, topic, rule, track, AlertState.PENDING, severity, a, w));
            }
            return;
        }
        if (track.phase == AlertPhase.FIRING) {
            out.add(transition(runId, topic, rule, track, AlertState.RESOLVED, track.severity, a, w));
        }
        track.deactivate();
    }

    private AlertTransition transition(String runId, String topic, RuleKind rule, RuleTrack track, AlertState state, Severity severity,
                                       Assessment a, TrendPoint w) {
        String message = topic + ": " + rule.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " " + state.name().toLowerCase(Locale.ROOT)
                + " (" + severity.name().toLowerCase(Locale.ROOT) + "), " + a.detail;
        return new AlertTransition(alertId(runId, ruleSetId, rule, topic, track.episodeStart), runId, ruleSetId, rule, topic, severity, state,
                w.windowStart(), w.windowSizeMs(), a.observed, a.baseline, a.threshold, message, w.windowEnd());
    }

    private Severity severity(double ratio) {
        return ratio >= params.criticalRatio() ? Severity.CRITICAL : ratio >= params.warningRatio() ? Severity.WARNING : Severity.INFO;
    }

    /** The alert id of an episode: a hash of (run, rule set, rule, topic, first window start), 20 hex digits. */
    public static String alertId(String runId, String ruleSetId, RuleKind rule, String topic, long episodeStart) {
        String key = runId + '\u0000' + ruleSetId + '\u0000' + rule.name() + '\u0000' + topic + '\u0000' + episodeStart;
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A rule's verdict on one window: whether it holds, and the numbers that say why. */
    private record Assessment(boolean holds, double observed, double baseline, double threshold, double ratio, String detail) {
    }

    private Assessment assess(RuleKind rule, Collection<WindowSample> baseline, TrendPoint w) {
        return switch (rule) {
            case NEGATIVE_SHARE -> negativeShare(baseline, w);
            case SCORE_DROP -> scoreDrop(baseline, w);
            case VOLUME_SPIKE -> volumeSpike(baseline, w);
        };
    }

    private Assessment negativeShare(Collection<WindowSample> baseline, TrendPoint w) {
        double share = w.negativeShare();
        if (baseline.size() < params.minBaselineWindows()) {
            return notReady(share, baseline.size());
        }
        long total = 0;
        long negative = 0;
        for (WindowSample s : baseline) {
            total += s.count();
            negative += s.negative();
        }
        int m = baseline.size();
        double p = (double) negative / total;
        // The binomial variance uses a smoothed share, so a baseline that happened to hold no negative text
        // does not make one negative text look like a surge.
        double smoothed = (negative + 1.0) / (total + 2.0);
        double binomial = smoothed * (1 - smoothed);
        double extra = betweenWindowVariance(baseline, p, binomial);
        double sigma = w.count() == 0 ? params.negativeShareSdFloor()
                : Math.max(Math.sqrt(extra + binomial / w.count()), params.negativeShareSdFloor());
        double threshold = p + params.negativeShareSigmas() * sigma;
        boolean holds = w.count() >= params.minVolume() && share > threshold;
        String detail = String.format(Locale.ROOT, "negative share %.1f%% of %d texts, baseline %.1f%% over %d windows, threshold %.1f%% (%.1f sigma of %.1f%%)",
                100 * share, w.count(), 100 * p, m, 100 * threshold, params.negativeShareSigmas(), 100 * sigma);
        return new Assessment(holds, share, p, threshold, ratio(share - p, threshold - p), detail);
    }

    /**
     * Variance of the true negative share between baseline windows, beyond binomial noise (DerSimonian-Laird):
     * (Σ n·(share − p)² − (k − 1)·q(1−q)) / (Σ n − Σ n² / Σ n), at least 0, over the k baseline windows of at least
     * {@code minVolume} texts (smaller windows say little about it and much through noise); 0 while fewer than
     * {@code minBaselineWindows} such windows exist (an estimate from two or three is noise). Each window counts
     * as at most {@link #OUTLIER_Z} binomial standard deviations from p, so one odd window does not widen every
     * threshold after it.
     */
    private double betweenWindowVariance(Collection<WindowSample> baseline, double p, double binomial) {
        int k = 0;
        long total = 0;
        long squaredCounts = 0;
        double spread = 0;
        for (WindowSample s : baseline) {
            if (s.count() < params.minVolume()) {
                continue;
            }
            k++;
            total += s.count();
            squaredCounts += s.count() * s.count();
            double d = (double) s.negative() / s.count() - p;
            spread += Math.min(s.count() * d * d, OUTLIER_Z * OUTLIER_Z * binomial);
        }
        if (k < Math.max(2, params.minBaselineWindows())) {
            return 0;
        }
        double weights = total - (double) squaredCounts / total;
        return Math.max(0, (spread - (k - 1) * binomial) / weights);
    }

    private Assessment scoreDrop(Collection<WindowSample> baseline, TrendPoint w) {
        double mean = w.meanScore();
        if (baseline.size() < params.minBaselineWindows()) {
            return notReady(mean, baseline.size());
        }
        long total = 0;
        double weighted = 0;
        for (WindowSample s : baseline) {
            total += s.count();
            weighted += s.count() * s.meanScore();
        }
        double pooledMean = weighted / total;
        double spread = 0;
        for (WindowSample s : baseline) {
            double d = s.meanScore() - pooledMean;
            spread += s.count() * (s.scoreStddev() * s.scoreStddev() + d * d);
        }
        double perText = Math.sqrt(spread / total);
        double margin = w.count() == 0 ? params.scoreDrop()
                : Math.max(params.scoreDrop(), params.scoreDropSigmas() * perText / Math.sqrt(w.count()));
        double threshold = pooledMean - margin;
        boolean holds = w.count() >= params.minVolume() && mean < threshold;
        String detail = String.format(Locale.ROOT, "mean score %+.3f of %d texts, baseline %+.3f over %d windows, threshold %+.3f",
                mean, w.count(), pooledMean, baseline.size(), threshold);
        return new Assessment(holds, mean, pooledMean, threshold, ratio(pooledMean - mean, margin), detail);
    }

    private Assessment volumeSpike(Collection<WindowSample> baseline, TrendPoint w) {
        double count = w.count();
        if (baseline.size() < params.minBaselineWindows()) {
            return notReady(count, baseline.size());
        }
        long total = 0;
        for (WindowSample s : baseline) {
            total += s.count();
        }
        double mean = (double) total / baseline.size();
        double threshold = Math.max(mean * params.volumeFactor(), params.volumeMinCount());
        boolean holds = count > threshold;
        String detail = String.format(Locale.ROOT, "%d texts in the window, baseline %.1f a window over %d windows, threshold %.1f",
                w.count(), mean, baseline.size(), threshold);
        return new Assessment(holds, count, mean, threshold, ratio(count - mean, threshold - mean), detail);
    }

    private Assessment notReady(double observed, int windows) {
        String detail = "baseline not ready (" + windows + " of " + params.minBaselineWindows() + " windows)";
        return new Assessment(false, observed, Double.NaN, Double.NaN, 0, detail);
    }

    private static double ratio(double excess, double thresholdExcess) {
        return thresholdExcess <= 0 ? Double.POSITIVE_INFINITY : excess / thresholdExcess;
    }
}
