package io.finsent.alerting.backtest;

import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A {@link BacktestReport} as JSON (the records as they are: {@code runId}, {@code windows}, {@code ruleSets}[{@code name},
 * {@code ruleSetId}, {@code params}, {@code topics}[{@code topic}, {@code windows}, {@code fired}, {@code timeline}]]) and as
 * CSV ({@link #CSV_HEADER}, one line per {@link BacktestReport.Row}). One writer for {@code ./monitor backtest} and
 * {@code POST /v1/backtests}, so the command and the API answer with the same text.
 */
public final class BacktestReportWriter {

    public static final String CSV_HEADER = "rule_set,rule_set_id,topic,rule,windows,fired";

    // A plain mapper on purpose: a framework's configured one (naming strategy, modules) would change the keys.
    private static final ObjectMapper JSON = new ObjectMapper();

    private BacktestReportWriter() {
    }

    public static String json(BacktestReport report) {
        try {
            return JSON.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the backtest report as JSON", e);
        }
    }

    /** The header and one line per row, each ended by a line feed. */
    public static String csv(BacktestReport report) {
        return Stream.concat(Stream.of(CSV_HEADER), report.rows().stream().map(BacktestReportWriter::csvLine))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private static String csvLine(BacktestReport.Row row) {
        return Stream.of(row.ruleSet(), row.ruleSetId(), row.topic(), row.rule().name(), String.valueOf(row.windows()), String.valueOf(row.fired()))
                .map(BacktestReportWriter::csvField).collect(Collectors.joining(","));
    }

    /** RFC 4180: a field holding a comma, quote or line break is quoted, its quotes doubled (rule set names are free text). */
    private static String csvField(String value) {
        if (value.chars().noneMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r')) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
