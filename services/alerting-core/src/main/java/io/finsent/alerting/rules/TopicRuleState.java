package io.finsent.alerting.rules;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finsent.schema.Severity;

/**
 * What a {@link RuleEvaluator} remembers for one (rule set, topic): the recent windows its baseline is
 * computed from and each rule's lifecycle (inactive, pending since, firing since). Stored as JSON by the
 * alerting service (table {@code rule_state}) and in memory by a backtest. Mutable; not thread-safe.
 *
 * <p>The JSON holds every field in a fixed order and doubles in their shortest round-trip form, so
 * {@code fromJson(s.toJson())} continues exactly as {@code s} would, and equal states give equal text.
 */
public final class TopicRuleState {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;
    private long windowSizeMs;
    private long lastWindowStart = Long.MIN_VALUE;
    private final Map<RuleKind, RuleTrack> tracks = new EnumMap<>(RuleKind.class);

    private TopicRuleState(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("a rule state needs a topic");
        }
        this.topic = topic;
        for (RuleKind rule : RuleKind.values()) {
            tracks.put(rule, new RuleTrack());
        }
    }

    /** A fresh state: no history, nothing pending or firing. */
    public static TopicRuleState empty(String topic) {
        return new TopicRuleState(topic);
    }

    public String topic() {
        return topic;
    }

    /** Size of the windows fed so far, or 0 before the first. */
    public long windowSizeMs() {
        return windowSizeMs;
    }

    /** Start of the last window evaluated, or {@link Long#MIN_VALUE} if none: a window at or before it is a redelivery. */
    public long lastWindowStart() {
        return lastWindowStart;
    }

    public AlertPhase phase(RuleKind rule) {
        return tracks.get(rule).phase;
    }

    /** Start of the first window of the rule's current episode (pending or firing), or {@link Long#MIN_VALUE} when inactive. */
    public long episodeStart(RuleKind rule) {
        RuleTrack track = tracks.get(rule);
        return track.phase == AlertPhase.INACTIVE ? Long.MIN_VALUE : track.episodeStart;
    }

    /** Windows in the rule's baseline now (at most {@link RuleParams#baselineWindows()}). */
    public int baselineWindows(RuleKind rule) {
        return tracks.get(rule).baseline.size();
    }

    RuleTrack track(RuleKind rule) {
        return tracks.get(rule);
    }

    void advance(long windowStart, long sizeMs) {
        lastWindowStart = windowStart;
        windowSizeMs = sizeMs;
    }

    /** The state as JSON: stable field order, so equal states give equal text. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("topic", topic);
        root.put("windowSizeMs", windowSizeMs);
        root.put("lastWindowStart", lastWindowStart);
        ObjectNode rules = root.putObject("rules");
        for (RuleKind rule : RuleKind.values()) {
            RuleTrack track = tracks.get(rule);
            ObjectNode node = rules.putObject(rule.name());
            node.put("phase", track.phase.name());
            node.put("episodeStart", track.episodeStart);
            node.put("trueWindows", track.trueWindows);
            if (track.severity == null) {
                node.putNull("severity");
            } else {
                node.put("severity", track.severity.name());
            }
            ArrayNode baseline = node.putArray("baseline");
            for (WindowSample sample : track.baseline) {
                baseline.addArray().add(sample.count()).add(sample.negative()).add(sample.meanScore()).add(sample.scoreStddev());
            }
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the rule state of " + topic + " as JSON", e);
        }
    }

    /** Reads what {@link #toJson()} wrote; anything else is an IllegalArgumentException saying what is wrong. */
    public static TopicRuleState fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json == null ? "" : json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("rule state is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("rule state must be a JSON object as written by TopicRuleState.toJson()");
        }
        TopicRuleState state = new TopicRuleState(required(root, "topic").asText());
        state.windowSizeMs = integral(root, "windowSizeMs");
        state.lastWindowStart = integral(root, "lastWindowStart");
        JsonNode rules = required(root, "rules");
        for (RuleKind rule : RuleKind.values()) {
            JsonNode node = required(rules, rule.name());
            RuleTrack track = state.tracks.get(rule);
            track.phase = enumValue(AlertPhase.class, required(node, "phase"), rule + ".phase");
            track.episodeStart = integral(node, "episodeStart");
            track.trueWindows = Math.toIntExact(integral(node, "trueWindows"));
            JsonNode severity = required(node, "severity");
            track.severity = severity.isNull() ? null : enumValue(Severity.class, severity, rule + ".severity");
            for (Iterator<JsonNode> samples = required(node, "baseline").elements(); samples.hasNext(); ) {
                JsonNode s = samples.next();
                if (!s.isArray() || s.size() != 4 || !s.get(0).isIntegralNumber() || !s.get(1).isIntegralNumber() || !s.get(2).isNumber()
                        || !s.get(3).isNumber()) {
                    throw new IllegalArgumentException("rule state " + rule + ".baseline holds " + s + ", not [count, negative, meanScore, scoreStddev]");
                }
                track.baseline.addLast(new WindowSample(s.get(0).longValue(), s.get(1).longValue(), s.get(2).doubleValue(), s.get(3).doubleValue()));
            }
        }
        return state;
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            throw new IllegalArgumentException("rule state lacks field '" + field + "'");
        }
        return value;
    }

    private static long integral(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException("rule state field '" + field + "' must be a whole number, was " + value);
        }
        return value.longValue();
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, JsonNode node, String field) {
        try {
            return Enum.valueOf(type, node.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rule state field '" + field + "' is " + node + ", not one of " + Arrays.toString(type.getEnumConstants()), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicRuleState other && toJson().equals(other.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return toJson();
    }
}
