package io.finsent.alerting.rules;

/** The rules evaluated on every closed window of a topic. */
public enum RuleKind {
    /** Negative share above the topic's baseline by k standard deviations, with a minimum volume. */
    NEGATIVE_SHARE,
    /** Mean sentiment score below the baseline's mean by more than a set drop. */
    SCORE_DROP,
    /** Volume above the baseline's volume by a factor. */
    VOLUME_SPIKE
}
