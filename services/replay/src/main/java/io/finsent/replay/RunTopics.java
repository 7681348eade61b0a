package io.finsent.replay;

import io.finsent.alerting.trends.ScoredTopics;
import io.finsent.alerting.trends.TrendSettings;
import io.finsent.common.Topics;

/** Names of a run's topics and Kafka Streams applications; the live run uses the catalogue's topics. */
public final class RunTopics {

    private RunTopics() {
    }

    /** Raw texts staged from archive files for the run. */
    public static String raw(String runId) {
        return "replay." + runId + ".raw";
    }

    /** The run's scored texts: {@code text.scored} for live. */
    public static String scored(String runId) {
        return ScoredTopics.of(runId);
    }

    /** The run's dead letters: {@code text.dlq} for live. */
    public static String deadLetters(String runId) {
        return TrendSettings.LIVE.equals(runId) ? Topics.DEAD_LETTERS.name() : "replay." + runId + ".dlq";
    }

    /** Prefix of every topic the run owns. */
    static String prefix(String runId) {
        return "replay." + runId + ".";
    }

    public static String scorerApplication(String runId) {
        return "finsent-replay-" + runId + "-scorer";
    }

    public static String trendApplication(String runId) {
        return "finsent-replay-" + runId + "-trends";
    }
}
