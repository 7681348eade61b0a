package io.finsent.scorer.replay;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.finsent.replay.ReplayReport;

/**
 * A replay as {@code /v1/replays} answers it: times in ISO-8601, null where not known (yet).
 *
 * @param state        running, completed, failed or cancelled
 * @param etaSeconds   null unless running at a known rate
 * @param report       once completed
 * @param error        why it failed or stopped
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ReplayStatus(String runId, String state, boolean cancelRequested, String from, String to, int threads, int maxBatch,
                           String grace, String phase, long done, long total, double recordsPerSecond, Double etaSeconds,
                           String startedAt, String finishedAt, ReplayReport report, String error) {
}
