package io.finsent.alerting.rules;

import java.util.ArrayDeque;

import io.finsent.schema.Severity;

/** One rule's memory for one topic: its lifecycle and the windows of its baseline (oldest first). */
final class RuleTrack {

    AlertPhase phase = AlertPhase.INACTIVE;
    /** Start of the episode's first window (the one that made it PENDING); meaningful unless INACTIVE. */
    long episodeStart;
    /** Consecutive windows the condition has held in this episode. */
    int trueWindows;
    /** Severity the alert fired with; null unless FIRING. */
    Severity severity;
    final ArrayDeque<WindowSample> baseline = new ArrayDeque<>();

    void deactivate() {
        phase = AlertPhase.INACTIVE;
        episodeStart = 0;
        trueWindows = 0;
        severity = null;
    }

    void remember(WindowSample sample, int capacity) {
        baseline.addLast(sample);
        while (baseline.size() > capacity) {
            baseline.removeFirst();
        }
    }
}
