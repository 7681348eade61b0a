package io.finsent.replay;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.finsent.alerting.trends.TrendSettings;
import io.finsent.common.KafkaConnection;
import io.finsent.common.StorableTime;
import io.finsent.common.Topics;

/**
 * What one replay runs: the event-time range {@code [from, to)}, its source (a Kafka topic read by timestamp, or
 * archive files staged into the run's own raw topic), the run id, and how hard to work (stream threads, batch size).
 * Thread count and batch size never change a result; the grace can (a text later than it is a dead letter).
 *
 * <p>The grace defaults to the whole range plus a window, so no text of the range can be late: a replay reads a
 * backlog, and Kafka Streams lets one partition's task run minutes or hours of event time ahead of another's before
 * their records meet in the repartition topic (measured: with a 10-minute grace, half of a 40-minute backlog of 300
 * texts on 6 partitions came too late). Every window then closes at the end-of-input marker. The window store holds
 * the range's windows until then: one small tally per topic and window.
 *
 * @param files        archive files to replay instead of a topic; empty to read {@code sourceTopic}
 * @param sourceTopic  the raw topic read by timestamp when there are no files ({@code text.raw})
 * @param jdbcUrl      the alerting database, to wait for the run's trend rows; null to skip that wait
 * @param stateDir     Kafka Streams state of the run's two applications (kept for a resume)
 * @param grace        how late a text may reach its window, or null for the whole range plus a window (none late)
 * @param rowsWait     how long to wait for the alerting service to write the run's trend rows
 * @param kafkaSettings client settings of every client the replay makes (security etc., see {@link KafkaConnection});
 *                      {@code bootstrapServers} wins over a {@code bootstrap.servers} among them
 */
public record ReplayOptions(String runId, Instant from, Instant to, List<Path> files, String sourceTopic, String bootstrapServers,
                            String jdbcUrl, String jdbcUser, int threads, int maxBatch, Duration grace, Duration windowSize, Path model,
                            Path stateDir, Duration rowsWait, Map<String, ?> kafkaSettings) {

    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    /** The longest grace and window: with the times of {@link StorableTime}, far inside millisecond arithmetic. */
    private static final Duration MAX_DURATION = Duration.ofDays(36_600);

    public ReplayOptions {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("run id '" + runId + "' must be 1 to 100 letters, digits, '.', '_' or '-' (it names topics)");
        }
        if (TrendSettings.LIVE.equals(runId)) {
            throw new IllegalArgumentException("run id 'live' is the live pipeline's; choose another one");
        }
        if (from == null || to == null || !from.isBefore(to)) {
            throw new IllegalArgumentException("--from (" + from + ") must be before --to (" + to + ")");
        }
        if (!StorableTime.holds(from) || !StorableTime.holds(to)) {
            throw new IllegalArgumentException("--from and --to must lie from " + StorableTime.EARLIEST + " to " + StorableTime.LATEST + ", were "
                    + from + ", " + to);
        }
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("--threads must be between 1 and 64, was " + threads);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("--max-batch must be at least 1, was " + maxBatch);
        }
        if ((grace != null && (grace.isNegative() || grace.compareTo(MAX_DURATION) > 0)) || windowSize == null || windowSize.isNegative()
                || windowSize.isZero() || windowSize.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("--grace must be zero or more and the window size positive, both at most " + MAX_DURATION.toDays()
                    + " days (a grace longer than the range changes nothing), were " + grace + ", " + windowSize);
        }
        files = List.copyOf(files);
        kafkaSettings = new KafkaConnection(bootstrapServers, kafkaSettings).settings();
    }

    /** Without client settings: the embedded stack's PLAINTEXT. */
    public ReplayOptions(String runId, Instant from, Instant to, List<Path> files, String sourceTopic, String bootstrapServers, String jdbcUrl,
                         String jdbcUser, int threads, int maxBatch, Duration grace, Duration windowSize, Path model, Path stateDir, Duration rowsWait) {
        this(runId, from, to, files, sourceTopic, bootstrapServers, jdbcUrl, jdbcUser, threads, maxBatch, grace, windowSize, model, stateDir, rowsWait,
                Map.of());
    }

    /** Defaults: text.raw, 1 thread, batches of 256, 1-minute windows, a grace of the whole range, no database wait. */
    public static ReplayOptions of(String runId, Instant from, Instant to, String bootstrapServers, Path model, Path stateDir) {
        return new ReplayOptions(runId, from, to, List.of(), Topics.RAW_TEXT.name(), bootstrapServers, null, null, 1, 256,
                null, Duration.ofMinutes(1), model, stateDir, Duration.ofMinutes(2));
    }

    public ReplayOptions withKafkaSettings(Map<String, ?> value) {
        return new ReplayOptions(runId, from, to, files, sourceTopic, bootstrapServers, jdbcUrl, jdbcUser, threads, maxBatch, grace, windowSize,
                model, stateDir, rowsWait, value);
    }

    /** Where and how every client of the replay connects. */
    public KafkaConnection kafka() {
        return new KafkaConnection(bootstrapServers, kafkaSettings);
    }

    public ReplayOptions withFiles(List<Path> value) {
        return new ReplayOptions(runId, from, to, value, sourceTopic, bootstrapServers, jdbcUrl, jdbcUser, threads, maxBatch, grace, windowSize,
                model, stateDir, rowsWait, kafkaSettings);
    }

    public ReplayOptions withSourceTopic(String value) {
        return new ReplayOptions(runId, from, to, files, value, bootstrapServers, jdbcUrl, jdbcUser, threads, maxBatch, grace, windowSize,
                model, stateDir, rowsWait, kafkaSettings);
    }

    public ReplayOptions withDatabase(String url, String user, Duration wait) {
        return new ReplayOptions(runId, from, to, files, sourceTopic, bootstrapServers, url, user, threads, maxBatch, grace, windowSize,
                model, stateDir, wait, kafkaSettings);
    }

    public ReplayOptions withThreads(int value) {
        return new ReplayOptions(runId, from, to, files, sourceTopic, bootstrapServers, jdbcUrl, jdbcUser, value, maxBatch, grace, windowSize,
                model, stateDir, rowsWait, kafkaSettings);
    }

    public ReplayOptions withMaxBatch(int value) {
        return new ReplayOptions(runId, from, to, files, sourceTopic, bootstrapServers, jdbcUrl, jdbcUser, threads, value, grace, windowSize,
                model, stateDir, rowsWait, kafkaSettings);
    }

    public ReplayOptions withGrace(Duration value) {
        return new ReplayOptions(runId, from, to, files, sourceTopic, bootstrapServers, jdbcUrl, jdbcUser, threads, maxBatch, value, windowSize,
                model, stateDir, rowsWait, kafkaSettings);
    }

    /**
     * An instant as a user writes it: UTC ({@code 2015-01-01T00:00:00Z}) or with an offset.
     *
     * @param name how the caller calls the value ({@code --from}, {@code from}), named in the error
     * @throws IllegalArgumentException when it is not ISO-8601
     */
    public static Instant instant(String name, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException(name + " '" + text + "' is not an ISO-8601 instant, e.g. 2015-01-01T00:00:00Z");
            }
        }
    }

    /** The grace in force: the one given, or the whole range plus a window. */
    public Duration effectiveGrace() {
        return grace != null ? grace : Duration.between(from, to).plus(windowSize);
    }

    /** The trend settings of this run: its id, window and grace, on its own scored and dead-letter topics. */
    public TrendSettings trendSettings() {
        return new TrendSettings(runId, windowSize, effectiveGrace(), RunTopics.scored(runId), RunTopics.deadLetters(runId));
    }

    /** Every field but the Kafka settings' values: {@code sasl.jaas.config} holds a password. */
    @Override
    public String toString() {
        return "ReplayOptions[runId=" + runId + ", from=" + from + ", to=" + to + ", files=" + files + ", sourceTopic=" + sourceTopic
                + ", " + kafka() + ", jdbcUrl=" + jdbcUrl + ", jdbcUser=" + jdbcUser + ", threads=" + threads + ", maxBatch=" + maxBatch
                + ", grace=" + grace + ", windowSize=" + windowSize + ", model=" + model + ", stateDir=" + stateDir + ", rowsWait=" + rowsWait + "]";
    }
}
