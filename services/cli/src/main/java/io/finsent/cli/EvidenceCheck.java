package io.finsent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.jdbi.v3.core.Jdbi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.alerting.store.AlertTable;
import io.finsent.alerting.trends.TrendSettings;

/**
 * What {@code ./monitor demo --check} verifies of the evidence, through the alerting API as the dashboard reads it: every
 * alert the surge topic fired shows at least {@value #MIN_TEXTS} texts published in its windows, and the replay's same alert
 * (same rule set, rule, topic and start) shows the same evidence, text for text; and every text its windows counted is
 * stored (the evidence is complete).
 */
final class EvidenceCheck {

    static final int MIN_TEXTS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * {@code surgeTexts}: the fewest evidence texts from its windows among the surge topic's fired alerts (0 if none fired);
     * {@code explained}: the first evidence text's explanation (the scorer's model, asked through the alerting API) gives
     * the label the text was stored with, with a weight for each of its words.
     */
    record Result(int surgeTexts, boolean identical, boolean explained, List<String> differences) {

        boolean passed() {
            return surgeTexts >= MIN_TEXTS && identical && explained;
        }
    }

    private EvidenceCheck() {
    }

    static Result run(Jdbi store, String alertingUrl, String adminKey, String topic, String replayRun, Duration timeout, PrintWriter out)
            throws IOException, InterruptedException {
        AlertTable alerts = store.onDemand(AlertTable.class);
        HttpClient http = DemoAnalyst.client();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> differences = new ArrayList<>();
        int fewest = Integer.MAX_VALUE;
        boolean explained = false;
        List<AlertTable.Alert> fired = alerts.visible(TrendSettings.LIVE, null, null, topic, 100).stream().filter(a -> a.firedAt() != null).toList();
        List<AlertTable.Alert> replayed = alerts.visible(replayRun, null, null, topic, 100);
        for (AlertTable.Alert live : fired) {
            JsonNode evidence = evidence(http, alertingUrl, adminKey, live.alertId(), deadline);
            if (!evidence.path("complete").asBoolean()) {
                differences.add("the evidence of " + live.rule() + " on " + topic + " is incomplete: " + evidence.path("texts_in_windows").asLong()
                        + " texts stored after " + timeout.toSeconds() + " s");
            }
            int inWindows = 0;
            Instant from = Instant.parse(evidence.path("from").asText());
            Instant to = Instant.parse(evidence.path("to").asText());
            for (JsonNode text : evidence.path("texts")) {
                Instant at = Instant.parse(text.path("published_at").asText());
                inWindows += !at.isBefore(from) && at.isBefore(to) ? 1 : 0;
            }
            fewest = Math.min(fewest, inWindows);
            if (!explained && !evidence.path("texts").isEmpty()) {
                explained = explains(http, alertingUrl, adminKey, evidence.path("texts").get(0), differences);
            }
            out.printf(Locale.ROOT, "Evidence of %s %s: %d texts from %d sources, %d shown%n", live.topic(), live.rule(),
                    evidence.path("texts_in_windows").asLong(), evidence.path("distinct_sources").asLong(), evidence.path("texts").size());
            Optional<AlertTable.Alert> twin = replayed.stream().filter(r -> r.ruleSet().equals(live.ruleSet()) && r.rule().equals(live.rule())
                    && r.startedAt().equals(live.startedAt())).findFirst();
            if (twin.isEmpty()) {
                differences.add("the replay has no " + live.rule() + " alert on " + topic + " started at " + live.startedAt());
                continue;
            }
            JsonNode replay = evidence(http, alertingUrl, adminKey, twin.get().alertId(), deadline);
            if (!evidence.equals(replay)) {
                differences.add(live.rule() + " on " + topic + ": live evidence " + evidence + ", replay " + replay);
            }
        }
        return new Result(fired.isEmpty() ? 0 : fewest, differences.isEmpty(), explained, differences);
    }

    /** Whether the text's explanation has its stored label and a weight at every word's offsets; else why not, in differences. */
    private static boolean explains(HttpClient http, String url, String key, JsonNode text, List<String> differences)
            throws IOException, InterruptedException {
        String id = text.path("id").asText();
        String path = "/v1/texts/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20") + "/explanation";
        HttpResponse<String> answer = DemoAnalyst.call(http, "GET", url + path, key, null);
        if (answer.statusCode() != 200) {
            differences.add("the explanation of text " + id + ": HTTP " + answer.statusCode() + " " + answer.body());
            return false;
        }
        JsonNode e = JSON.readTree(answer.body());
        String modelText = e.path("text").asText();
        boolean offsets = e.path("tokens").size() > 0;
        for (JsonNode t : e.path("tokens")) {
            int start = t.path("start").asInt(-1);
            int end = t.path("end").asInt(-1);
            offsets &= start >= 0 && end <= modelText.length() && modelText.substring(start, end).equals(t.path("text").asText());
        }
        boolean sameLabel = e.path("label").asText().equalsIgnoreCase(e.path("stored_label").asText());
        if (!offsets || !sameLabel) {
            differences.add("the explanation of text " + id + " does not fit it: " + answer.body());
        }
        return offsets && sameLabel;
    }

    /** An alert's evidence once every text its windows counted is stored (or what there is at the deadline). */
    private static JsonNode evidence(HttpClient http, String url, String key, String alertId, long deadline) throws IOException, InterruptedException {
        while (true) {
            HttpResponse<String> answer = DemoAnalyst.call(http, "GET", url + "/v1/alerts/" + alertId, key, null);
            if (answer.statusCode() != 200) {
                throw new IOException("GET /v1/alerts/" + alertId + " answered HTTP " + answer.statusCode() + ": " + answer.body());
            }
            JsonNode evidence = JSON.readTree(answer.body()).path("evidence");
            if (evidence.path("complete").asBoolean() || System.nanoTime() > deadline) {
                return evidence;
            }
            Thread.sleep(500);
        }
    }
}
