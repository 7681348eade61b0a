package io.finsent.alerting.trends;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.finsent.common.Topics;

/** Which topic holds a run's scored texts: {@code text.scored} for live, {@code replay.RUN.scored} for a replay. */
public final class ScoredTopics {

    /** Every run's scored topic, live and replays: what a consumer of all runs subscribes to. */
    public static final Pattern ALL = Pattern.compile(Pattern.quote(Topics.SCORED_TEXT.name()) + "|replay\\.(.+)\\.scored");

    private ScoredTopics() {
    }

    /** The run's scored topic. */
    public static String of(String runId) {
        return TrendSettings.LIVE.equals(runId) ? Topics.SCORED_TEXT.name() : "replay." + runId + ".scored";
    }

    /** The run whose scored texts a topic holds, if it is one of {@link #ALL}. */
    public static Optional<String> runOf(String topic) {
        Matcher m = ALL.matcher(topic);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(m.group(1) == null ? TrendSettings.LIVE : m.group(1));
    }
}
