package io.finsent.alerting.rules;

import java.time.Instant;

import io.finsent.schema.AlertEvent;
import io.finsent.schema.AlertState;
import io.finsent.schema.Severity;

/**
 * A change in one alert's lifecycle, caused by one closed window.
 *
 * @param alertId   stable per (run, rule set, rule, topic, first window of the episode), so a retry repeats it
 * @param windowStart start of the window that caused the change
 * @param observed  the rule's measure on that window (negative share, mean score, or count)
 * @param baseline  the measure's baseline (pooled share, pooled mean score, or mean count)
 * @param threshold the value past which the rule holds
 * @param eventTime end of the window that caused the change (event time, never the wall clock)
 */
public record AlertTransition(String alertId, String runId, String ruleSetId, RuleKind rule, String topic, Severity severity,
                              AlertState state, long windowStart, long windowSizeMs, double observed, double baseline,
                              double threshold, String message, long eventTime) {

    /** The transition as the {@code alert.events} record (key: {@link #alertId()}). */
    public AlertEvent toAvro() {
        return AlertEvent.newBuilder()
                .setAlertId(alertId)
                .setRunId(runId)
                .setRuleSet(ruleSetId)
                .setRule(rule.name())
                .setTopic(topic)
                .setSeverity(severity)
                .setState(state)
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowSizeMs(windowSizeMs)
                .setObserved(observed)
                .setBaseline(baseline)
                .setThreshold(threshold)
                .setMessage(message)
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .build();
    }
}
