package io.finsent.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import picocli.CommandLine.Option;

/** {@code --json}: the command's result as one JSON object on stdout (progress, if any, on stderr). */
final class JsonOption {

    @Option(names = "--json", description = "Print one JSON object instead of the text report.")
    boolean json;

    /** A map by count (topics, rule sets) with string keys, as JSON objects have them, in the same order. */
    static <V> Map<String, V> byCount(Map<Integer, V> values) {
        Map<String, V> m = new LinkedHashMap<>();
        values.forEach((n, v) -> m.put(Integer.toString(n), v));
        return m;
    }
}
