package io.finsent.alerting.service;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.finsent.schema.Severity;

/** Severity order (INFO < WARNING < CRITICAL) and parsing of user input. */
public final class Severities {

    private Severities() {
    }

    /** Names of the severities a subscription may ask for and still receive an alert of {@code severity}. */
    public static List<String> atOrBelow(Severity severity) {
        return Arrays.stream(Severity.values()).filter(s -> s.ordinal() <= severity.ordinal()).map(Enum::name).toList();
    }

    /** Parses a severity name in any case. */
    public static Severity parse(String value) {
        try {
            return Severity.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + value + "' is not a severity; use one of " + Arrays.toString(Severity.values()));
        }
    }
}
