package io.finsent.alerting.rules;

/** Where one (rule set, rule, topic) stands in the alert lifecycle. */
public enum AlertPhase {
    /** The condition did not hold on the last window. */
    INACTIVE,
    /** The condition holds, for fewer windows than {@link RuleParams#pendingWindows()} + 1 so far. */
    PENDING,
    /** The condition has held long enough; the alert is on until a window where it does not. */
    FIRING
}
