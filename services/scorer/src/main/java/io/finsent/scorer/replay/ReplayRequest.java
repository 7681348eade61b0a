package io.finsent.scorer.replay;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import jakarta.validation.constraints.NotNull;

import io.finsent.replay.ReplayOptions;

/**
 * A replay asked for over {@code POST /v1/replays}: the raw topic read by timestamp over {@code [from, to)}. Archive
 * files on the server are an operator's concern ({@code ./monitor replay --file}), so the API has no field for them.
 *
 * @param grace null for the replay's default (the whole range plus a window)
 */
public record ReplayRequest(String runId, Instant from, Instant to, int threads, int maxBatch, Duration grace) {

    /**
     * The JSON body: {@code {"run_id": ..., "from": ISO, "to": ISO, "threads": N, "max_batch": N, "grace": ISO duration}},
     * the last three optional. Times stay text here so that the replay's own checks name a bad one.
     */
    public record Body(@NotNull(message = "is required") String runId, @NotNull(message = "is required") String from,
                       @NotNull(message = "is required") String to, Integer threads, Integer maxBatch, String grace) {

        /** @throws IllegalArgumentException with the reason, for the 400 answer */
        public ReplayRequest toRequest() {
            return new ReplayRequest(runId, ReplayOptions.instant("from", from), ReplayOptions.instant("to", to),
                    threads == null ? 1 : threads, maxBatch == null ? 256 : maxBatch, grace(grace));
        }

        private static Duration grace(String text) {
            if (text == null) {
                return null;
            }
            try {
                return Duration.parse(text);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'grace' '" + text + "' is not an ISO-8601 duration, e.g. PT10M");
            }
        }
    }
}
