package io.finsent.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The analyst {@code ./monitor up} makes once per data directory, subscribed to every topic (INFO and up), so that a
 * newcomer signs in to the dashboard with {@code DATA_DIR/analyst.key} and sees alerts without a curl. Made over the
 * alerting API with the admin key, as an operator would; a key file whose analyst is gone (a database reset) is replaced.
 */
final class DemoAnalyst {

    static final String ANALYST_KEY_FILE = "analyst.key";
    private static final String NAME = "demo";

    private DemoAnalyst() {
    }

    /** The demo analyst's key: read from the data directory when the alerting service still knows it, else made now. */
    static String ensure(Path dataDir, String alertingUrl, String adminKey) throws IOException, InterruptedException {
        HttpClient http = client();
        Path file = dataDir.resolve(ANALYST_KEY_FILE);
        if (Files.isRegularFile(file)) {
            String key = Files.readString(file).strip();
            if (call(http, "GET", alertingUrl + "/v1/analysts/me", key, null).statusCode() == 200) {
                return key;
            }
        }
        HttpResponse<String> created = call(http, "POST", alertingUrl + "/v1/analysts", adminKey, "{\"name\": \"" + NAME + "\", \"role\": \"analyst\"}");
        if (created.statusCode() != 201) {
            throw new IOException("the alerting service did not create the demo analyst (HTTP " + created.statusCode() + "): " + created.body());
        }
        JsonNode answer = new ObjectMapper().readTree(created.body());
        String key = answer.path("api_key").asText();
        HttpResponse<String> subscribed = call(http, "POST", alertingUrl + "/v1/subscriptions", key, "{\"topic\": \"*\", \"min_severity\": \"INFO\"}");
        if (subscribed.statusCode() != 201) {
            throw new IOException("the alerting service did not subscribe the demo analyst (HTTP " + subscribed.statusCode() + "): " + subscribed.body());
        }
        Files.writeString(file, key + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return key;
    }

    /** A client for the local services' APIs. */
    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** One call with an API key, JSON in (null: none) and out. */
    static HttpResponse<String> call(HttpClient http, String method, String url, String key, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("X-API-Key", key)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
