package io.finsent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A command that talks to a running ingest service over its API ({@code ./monitor push}, {@code ./monitor feeds ...}),
 * with the key {@code ./monitor up} wrote to {@code .data/ingest.key} (roles push and feeds) unless told otherwise. A
 * refusal ({@link Usage}) is printed with what to do, exit status 2.
 */
abstract class IngestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;
    @Mixin
    Target ingest;

    @Override
    public final Integer call() throws InterruptedException {
        try {
            int code = run(spec.commandLine().getOut());
            spec.commandLine().getOut().flush();
            return code;
        } catch (Usage e) {
            spec.commandLine().getErr().println("monitor " + spec.qualifiedName(" ").replaceFirst("^monitor ", "") + ": " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 2;
        }
    }

    abstract int run(PrintWriter out) throws Usage, InterruptedException;

    /** A refusal to go on, with what to do: exit status 2. */
    static final class Usage extends Exception {
        Usage(String message) {
            super(message);
        }
    }

    /** The service's answer: its status and its JSON. */
    record Answer(int status, JsonNode body) {
        String error() {
            return body != null && body.hasNonNull("error") ? body.get("error").asText() : "HTTP " + status;
        }
    }

    /** Where the ingest service is and the key to use. */
    static final class Target {
        @Option(names = "--ingest", defaultValue = "http://127.0.0.1:8081", paramLabel = "URL",
                description = "The ingest service (default: ${DEFAULT-VALUE}, as ./monitor up starts it).")
        String ingest;

        @Option(names = "--key-file", defaultValue = ".data/" + EmbeddedPipeline.INGEST_KEY_FILE, paramLabel = "FILE",
                description = "A file holding an API key with the push and feeds roles (default: ${DEFAULT-VALUE}, written by ./monitor up);"
                        + " the environment variable FINSENT_INGEST_KEY wins over it.")
        Path keyFile;

        String key() throws Usage {
            String fromEnv = System.getenv("FINSENT_INGEST_KEY");
            if (fromEnv != null && !fromEnv.isBlank()) {
                return fromEnv.strip();
            }
            try {
                return Files.readString(keyFile).strip();
            } catch (NoSuchFileException e) {
                throw new Usage("no API key in " + keyFile + ": run ./monitor up once (it writes one), or pass --key-file FILE, or set FINSENT_INGEST_KEY");
            } catch (IOException e) {
                throw new Usage("cannot read the API key in " + keyFile + ": " + e.getMessage());
            }
        }

        /** Sends a request with the key; a refused key and an unreachable service are {@link Usage}s that say what to do. */
        Answer send(String method, String pathAndQuery, String json) throws Usage, InterruptedException {
            String base = ingest.endsWith("/") ? ingest.substring(0, ingest.length() - 1) : ingest;
            HttpRequest.Builder request;
            try {
                request = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30)).header("X-API-Key", key());
            } catch (IllegalArgumentException e) {
                throw new Usage("--ingest " + ingest + " is not a URL: " + e.getMessage());
            }
            request.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
            if (json != null) {
                request.header("Content-Type", "application/json");
            }
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            try {
                HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                JsonNode body = response.body() == null || response.body().isBlank() ? null : parse(response.body());
                if (response.statusCode() == 401 || response.statusCode() == 403) {
                    throw new Usage("ingest at " + base + " refused the key (" + new Answer(response.statusCode(), body).error()
                            + "): it needs the push and feeds roles; ./monitor up's key is in .data/" + EmbeddedPipeline.INGEST_KEY_FILE);
                }
                return new Answer(response.statusCode(), body);
            } catch (IOException e) {
                throw new Usage("no ingest service answers at " + base + " (" + e.getClass().getSimpleName() + "): start the stack with ./monitor up,"
                        + " or pass --ingest URL");
            }
        }

        private static JsonNode parse(String text) {
            try {
                return new ObjectMapper().readTree(text);
            } catch (IOException e) {
                return null;
            }
        }
    }
}
