package io.finsent.alerting.service.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.alerting.service.AlertingConfig;
import io.finsent.service.api.ApiProblem;

/**
 * Asks the scorer ({@code POST /v1/explanations}, {@code alerting.explain.*}) to explain a text with the model it scores with.
 * The scorer's refusals come back as they were (its 422 over the word cap, its 429 while it explains another text, with
 * Retry-After); a scorer that is not set up, away or too slow is 503 with what to do.
 */
@ApplicationScoped
public class ScorerExplanations {

    private final AlertingConfig.Explain config;
    private final ObjectMapper json;
    private final HttpClient http;

    ScorerExplanations(AlertingConfig config, ObjectMapper json) {
        this.config = config.explain();
        this.json = json;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The scorer's explanation of {@code text}: label, probabilities, tokens [{text, start, end, weight}], model. */
    public JsonNode explain(String text) {
        String base = config.scorerUrl().filter(u -> !u.isBlank()).orElseThrow(() -> ApiProblem.unavailable(
                "explanations are off: set alerting.explain.scorer-url (and alerting.explain.scorer-key) to the scorer that holds the model"));
        HttpResponse<String> answer;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base.replaceAll("/+$", "") + "/v1/explanations"))
                    .timeout(config.timeout()).header("Content-Type", "application/json")
                    .header("X-Api-Key", config.scorerKey().orElse(""))
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("text", text)), StandardCharsets.UTF_8)).build();
            answer = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw ApiProblem.unavailable("the scorer did not explain the text within " + config.timeout().toSeconds() + " s; try again later");
        } catch (IOException | IllegalArgumentException e) {
            throw ApiProblem.unavailable("cannot reach the scorer at " + base + " for the explanation: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiProblem.unavailable("interrupted; ask again");
        }
        int status = answer.statusCode();
        if (status == 200) {
            try {
                return json.readTree(answer.body());
            } catch (JsonProcessingException e) {
                throw ApiProblem.unavailable("the scorer answered an explanation that is not JSON");
            }
        }
        String reason = reasonOf(answer.body());
        if (status == 422) {
            throw ApiProblem.unprocessable(reason);
        }
        if (status == 429) {
            throw new ApiProblem(Response.Status.TOO_MANY_REQUESTS, reason).withHeader("Retry-After", answer.headers().firstValue("Retry-After").orElse("2"));
        }
        if (status == 401 || status == 403) {
            throw ApiProblem.unavailable("the scorer refused this service's key (HTTP " + status + "): set alerting.explain.scorer-key to the key whose"
                    + " SHA-256 is the scorer's scorer.explain.key-sha256 (" + reason + ")");
        }
        throw ApiProblem.unavailable("the scorer could not explain the text (HTTP " + status + "): " + reason);
    }

    private String reasonOf(String body) {
        try {
            JsonNode error = json.readTree(body).path("error");
            return error.isTextual() ? error.asText() : body;
        } catch (JsonProcessingException e) {
            return body.length() > 300 ? body.substring(0, 300) : body;
        }
    }
}
