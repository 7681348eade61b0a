package io.finsent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./monitor feeds add|list|remove}: the feed list of a running ingest service, over its API ({@code /v1/feeds}),
 * with the API key {@code ./monitor up} wrote to {@code .data/push.key} (roles push and feeds) unless told otherwise.
 */
@Command(name = "feeds", mixinStandardHelpOptions = true, description = "Adds, lists and removes the RSS and Atom feeds a running ingest service polls.",
        subcommands = {FeedsCommand.Add.class, FeedsCommand.ListFeeds.class, FeedsCommand.Remove.class})
final class FeedsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the ingest service is and the key to use; shared by the subcommands. */
    static final class Target {
        @Option(names = "--ingest", defaultValue = "http://127.0.0.1:8081", paramLabel = "URL",
                description = "The ingest service (default: ${DEFAULT-VALUE}, as ./monitor up starts it).")
        String ingest;

        @Option(names = "--key-file", defaultValue = ".data/" + EmbeddedPipeline.PUSH_KEY_FILE, paramLabel = "FILE",
                description = "A file holding an API key with the feeds role (default: ${DEFAULT-VALUE}, written by ./monitor up);"
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

        /** The service's answer: its status and its JSON. */
        record Answer(int status, JsonNode body) {
            String error() {
                return body != null && body.hasNonNull("error") ? body.get("error").asText() : "HTTP " + status;
            }
        }

        Answer send(String method, String path, String json) throws Usage, InterruptedException {
            String base = ingest.endsWith("/") ? ingest.substring(0, ingest.length() - 1) : ingest;
            HttpRequest.Builder request;
            try {
                request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).header("X-API-Key", key());
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
                            + "): it needs the feeds role; ./monitor up's key is in .data/" + EmbeddedPipeline.PUSH_KEY_FILE);
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

    /** A refusal to go on, with what to do: exit status 2. */
    static final class Usage extends Exception {
        Usage(String message) {
            super(message);
        }
    }

    /** A subcommand: its target, and a refusal ({@link Usage}) printed with what to do, exit status 2. */
    abstract static class Subcommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Target target;

        @Override
        public final Integer call() throws InterruptedException {
            try {
                int code = run(spec.commandLine().getOut());
                spec.commandLine().getOut().flush();
                return code;
            } catch (Usage e) {
                spec.commandLine().getErr().println("monitor feeds: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 2;
            }
        }

        abstract int run(PrintWriter out) throws Usage, InterruptedException;
    }

    private static String describe(JsonNode feed) {
        StringBuilder line = new StringBuilder(feed.path("id").asText()).append("  ").append(feed.path("url").asText());
        line.append("  every ").append(feed.path("pollIntervalSeconds").asLong()).append(" s");
        if (feed.hasNonNull("name")) {
            line.append("  name \"").append(feed.get("name").asText()).append('"');
        }
        List<String> tickers = new ArrayList<>();
        feed.path("tickers").forEach(t -> tickers.add(t.asText()));
        if (!tickers.isEmpty()) {
            line.append("  tickers ").append(String.join(",", tickers));
        }
        return line.toString();
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Adds a feed (or replaces its interval, tickers and name); it is polled within the next few seconds.")
    static final class Add extends Subcommand {
        @Mixin
        JsonOption json;

        @Parameters(index = "0", paramLabel = "URL", description = "The feed's http(s) URL.")
        String url;

        @Option(names = "--interval", paramLabel = "ISO", description = "Poll interval, ISO-8601 (e.g. PT10M; 10 s to a day; default: the service's, 5 min).")
        String interval;

        @Option(names = "--tickers", split = ",", paramLabel = "T", description = "Tickers given to every entry, besides its own (e.g. AAPL,MSFT).")
        List<String> tickers = new ArrayList<>();

        @Option(names = "--name", paramLabel = "NAME", description = "The feed's name, its items' source (default: its URL without user info and query).")
        String name;

        @Override
        int run(PrintWriter out) throws Usage, InterruptedException {
            ObjectNode request = new ObjectMapper().createObjectNode().put("url", url);
            if (interval != null) {
                request.put("interval", interval);
            }
            if (!tickers.isEmpty()) {
                tickers.forEach(request.putArray("tickers")::add);
            }
            if (name != null) {
                request.put("name", name);
            }
            Target.Answer answer = target.send("POST", "/v1/feeds", request.toString());
            if (answer.status() != 201) {
                throw new Usage("ingest refused the feed: " + answer.error());
            }
            out.println(json.json ? answer.body().toString() : "added " + describe(answer.body()));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the feeds with their last poll, last error and counts.")
    static final class ListFeeds extends Subcommand {
        @Mixin
        JsonOption json;

        @Override
        int run(PrintWriter out) throws Usage, InterruptedException {
            Target.Answer answer = target.send("GET", "/v1/feeds", null);
            if (answer.status() != 200 || answer.body() == null) {
                throw new Usage("ingest did not list its feeds: " + answer.error());
            }
            if (json.json) {
                out.println(new ObjectMapper().createObjectNode().set("feeds", answer.body()).toString());
            } else if (answer.body().isEmpty()) {
                out.println("no feeds; add one with ./monitor feeds add URL");
            } else {
                for (JsonNode feed : answer.body()) {
                    out.println(describe(feed));
                    out.printf("    last success %s, last error %s%s; %d seen, %d published, %d refused%n", feed.path("lastSuccess").asText("never"),
                            feed.path("lastError").asText("never"), feed.hasNonNull("lastErrorReason") ? " (" + feed.get("lastErrorReason").asText() + ")" : "",
                            feed.path("itemsSeen").asLong(), feed.path("itemsPublished").asLong(), feed.path("itemsRefused").asLong());
                }
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Stops polling a feed, by its id (f-..., from ./monitor feeds list).")
    static final class Remove extends Subcommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The feed's id, e.g. f-3a5c0e19b2d4.")
        String id;

        @Override
        int run(PrintWriter out) throws Usage, InterruptedException {
            Target.Answer answer = target.send("DELETE", "/v1/feeds/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null);
            if (answer.status() != 204) {
                throw new Usage(answer.error());
            }
            out.println("removed " + id);
            return 0;
        }
    }
}
