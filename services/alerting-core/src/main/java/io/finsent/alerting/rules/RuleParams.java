package io.finsent.alerting.rules;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Parameters of one rule set. Defaults apply to every topic; an analyst's subscription may override them,
 * which makes a rule set of its own (id derived from the values, so equal overrides share alerts).
 * The fields are fixed by the implementation; see {@link #defaults()}. In JSON each field is named as its
 * component. The defaults are calibrated on the demo stream (see {@code DemoCalibrationTest}).
 *
 * @param baselineWindows      N: a rule's baseline is the last N windows in which it was inactive (condition false)
 * @param minBaselineWindows   no rule fires before its baseline holds this many windows (non-empty ones for the
 *                             share and score rules)
 * @param pendingWindows       the {@code for} duration: windows an alert stays PENDING before FIRING (0: fires at once)
 * @param minVolume            texts a window needs before NEGATIVE_SHARE or SCORE_DROP may hold
 * @param negativeShareSigmas  k: NEGATIVE_SHARE holds when the share exceeds the baseline share by k sigma
 * @param negativeShareSdFloor the smallest sigma NEGATIVE_SHARE uses (a share, e.g. 0.05 = 5 points)
 * @param scoreDrop            SCORE_DROP holds when the mean score falls below the baseline mean by more than this
 *                             (and by more than {@code scoreDropSigmas} standard errors)
 * @param scoreDropSigmas      standard errors of the window's mean score a drop must also exceed
 * @param volumeFactor         VOLUME_SPIKE holds when the count exceeds the baseline mean count times this
 * @param volumeMinCount       ... and exceeds this count
 * @param warningRatio         severity WARNING when the excess over the baseline is at least this multiple of the
 *                             threshold's excess (1 = just past the threshold)
 * @param criticalRatio        severity CRITICAL from this multiple on; below {@code warningRatio}: INFO
 */
public record RuleParams(int baselineWindows, int minBaselineWindows, int pendingWindows, long minVolume, double negativeShareSigmas,
                         double negativeShareSdFloor, double scoreDrop, double scoreDropSigmas, double volumeFactor,
                         long volumeMinCount, double warningRatio, double criticalRatio) {

    public static final String DEFAULT_ID = "default";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RecordComponent[] COMPONENTS = RuleParams.class.getRecordComponents();
    private static final RuleParams DEFAULTS = new RuleParams(30, 8, 1, 10, 4.0, 0.05, 0.3, 4.0, 3.0, 20, 1.5, 2.5);

    public RuleParams {
        check("baselineWindows", baselineWindows >= 1 && baselineWindows <= 10_000, baselineWindows, "between 1 and 10000");
        check("minBaselineWindows", minBaselineWindows >= 1 && minBaselineWindows <= baselineWindows, minBaselineWindows,
                "between 1 and baselineWindows (" + baselineWindows + ")");
        check("pendingWindows", pendingWindows >= 0 && pendingWindows <= 10_000, pendingWindows, "between 0 and 10000");
        check("minVolume", minVolume >= 1, minVolume, "at least 1");
        check("negativeShareSigmas", negativeShareSigmas > 0 && negativeShareSigmas <= 100, negativeShareSigmas, "in (0, 100]");
        check("negativeShareSdFloor", negativeShareSdFloor >= 0 && negativeShareSdFloor <= 1, negativeShareSdFloor, "in [0, 1]");
        check("scoreDrop", scoreDrop > 0 && scoreDrop <= 2, scoreDrop, "in (0, 2] (scores lie in [-1, 1])");
        check("scoreDropSigmas", scoreDropSigmas >= 0 && scoreDropSigmas <= 100, scoreDropSigmas, "in [0, 100]");
        check("volumeFactor", volumeFactor > 1 && volumeFactor <= 1_000_000, volumeFactor, "above 1");
        check("volumeMinCount", volumeMinCount >= 1, volumeMinCount, "at least 1");
        check("warningRatio", warningRatio >= 1 && warningRatio <= 1_000_000, warningRatio, "at least 1");
        check("criticalRatio", criticalRatio >= warningRatio && criticalRatio <= 1_000_000, criticalRatio,
                "at least warningRatio (" + warningRatio + ")");
    }

    private static void check(String field, boolean ok, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("rule parameter " + field + " must be " + expected + ", was " + value);
        }
    }

    public static RuleParams defaults() {
        return DEFAULTS;
    }

    /** "default" for the defaults, else a stable short hash of the values. */
    public String id() {
        if (equals(DEFAULTS)) {
            return DEFAULT_ID;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(toJson().getBytes(StandardCharsets.UTF_8));
            return "rs-" + HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Every field, in declaration order, numbers as Java prints them: equal parameters give equal text. */
    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        for (RecordComponent component : COMPONENTS) {
            Object value = value(component);
            if (value instanceof Integer i) {
                node.put(component.getName(), i);
            } else if (value instanceof Long l) {
                node.put(component.getName(), l);
            } else {
                node.put(component.getName(), (Double) value);
            }
        }
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write rule parameters as JSON", e);
        }
    }

    /** Parses a full or partial JSON object; missing fields take the defaults; unknown fields or bad values throw IllegalArgumentException with the field named. */
    public static RuleParams fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json == null ? "" : json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("rule parameters are not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("rule parameters must be a JSON object, e.g. {\"negativeShareSigmas\": 4}");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < COMPONENTS.length; i++) {
            index.put(COMPONENTS[i].getName(), i);
        }
        Object[] values = Arrays.stream(COMPONENTS).map(DEFAULTS::value).toArray();
        for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            Integer i = index.get(field.getKey());
            if (i == null) {
                throw new IllegalArgumentException("unknown rule parameter '" + field.getKey() + "' (known: " + names() + ")");
            }
            values[i] = parse(COMPONENTS[i], field.getValue());
        }
        try {
            return canonicalConstructor().newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException invalid) {
                throw invalid;
            }
            throw new IllegalStateException("cannot build rule parameters", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build rule parameters", e);
        }
    }

    /** The names of every parameter, in declaration order. */
    public static List<String> names() {
        return Arrays.stream(COMPONENTS).map(RecordComponent::getName).toList();
    }

    private static Object parse(RecordComponent component, JsonNode node) {
        String name = component.getName();
        Class<?> type = component.getType();
        if (type == double.class) {
            if (!node.isNumber()) {
                throw new IllegalArgumentException("rule parameter " + name + " must be a number, was " + node);
            }
            return node.doubleValue();
        }
        if (!node.isIntegralNumber() && !(node.isNumber() && node.doubleValue() == Math.rint(node.doubleValue()))) {
            throw new IllegalArgumentException("rule parameter " + name + " must be a whole number, was " + node);
        }
        if (type == int.class) {
            if (!node.canConvertToInt()) {
                throw new IllegalArgumentException("rule parameter " + name + " is out of range, was " + node);
            }
            return node.intValue();
        }
        if (!node.canConvertToLong()) {
            throw new IllegalArgumentException("rule parameter " + name + " is out of range, was " + node);
        }
        return node.longValue();
    }

    private Object value(RecordComponent component) {
        try {
            return component.getAccessor().invoke(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read rule parameter " + component.getName(), e);
        }
    }

    private static Constructor<RuleParams> canonicalConstructor() throws NoSuchMethodException {
        return RuleParams.class.getDeclaredConstructor(Arrays.stream(COMPONENTS).map(RecordComponent::getType).toArray(Class<?>[]::new));
    }
}
