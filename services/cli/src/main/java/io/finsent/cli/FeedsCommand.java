package io.finsent.cli;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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
 * with the API key {@code ./monitor up} wrote to {@code .data/ingest.key} (roles push and feeds) unless told otherwise ({@link IngestCommand}).
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
    static final class Add extends IngestCommand {
        @Mixin
        JsonOption json;

        @Parameters(index = "0", paramLabel = "URL", description = "The feed's http(s) URL.")
        String url;

        @Option(names = "--interval", paramLabel = "D", description = "Poll interval: 30s, 10m, 1h or ISO-8601 (PT10M); 10 s to a day (default: the service's, 5 min).")
        String interval;

        @Option(names = "--tickers", split = ",", paramLabel = "T", description = "Tickers given to every entry, besides its own (e.g. AAPL,MSFT).")
        List<String> tickers = new ArrayList<>();

        @Option(names = "--name", paramLabel = "NAME", description = "The feed's name, its items' source (default: its URL without user info and query).")
        String name;

        @Override
        int run(PrintWriter out) throws IngestCommand.Usage, InterruptedException {
            ObjectNode request = new ObjectMapper().createObjectNode().put("url", url);
            if (interval != null) {
                request.put("interval", isoDuration(interval));
            }
            if (!tickers.isEmpty()) {
                tickers.forEach(request.putArray("tickers")::add);
            }
            if (name != null) {
                request.put("name", name);
            }
            IngestCommand.Answer answer = ingest.send("POST", "/v1/feeds", request.toString());
            if (answer.status() != 201) {
                throw new IngestCommand.Usage("ingest refused the feed: " + answer.error());
            }
            out.println(json.json ? answer.body().toString() : "added " + describe(answer.body()));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the feeds with their last poll, last error and counts.")
    static final class ListFeeds extends IngestCommand {
        @Mixin
        JsonOption json;

        @Override
        int run(PrintWriter out) throws IngestCommand.Usage, InterruptedException {
            IngestCommand.Answer answer = ingest.send("GET", "/v1/feeds", null);
            if (answer.status() != 200 || answer.body() == null) {
                throw new IngestCommand.Usage("ingest did not list its feeds: " + answer.error());
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
    static final class Remove extends IngestCommand {
        @Parameters(index = "0", paramLabel = "ID|URL", description = "The feed's id (f-..., from ./monitor feeds list) or its URL as it was added.")
        String feed;

        @Override
        int run(PrintWriter out) throws IngestCommand.Usage, InterruptedException {
            boolean byUrl = feed.contains("://");
            IngestCommand.Answer answer = ingest.send("DELETE", byUrl ? "/v1/feeds?url=" + URLEncoder.encode(feed, StandardCharsets.UTF_8)
                    : "/v1/feeds/" + URLEncoder.encode(feed, StandardCharsets.UTF_8), null);
            if (answer.status() != 204) {
                throw new IngestCommand.Usage(answer.error());
            }
            // shown as ingest shows feed URLs: without user info and query
            out.println("removed " + (byUrl ? feed.replaceFirst("\\?.*", "?…").replaceFirst("//[^/@]*@", "//") : feed));
            return 0;
        }
    }

    /** A duration as the API takes it (ISO-8601): {@code 30s}, {@code 10m}, {@code 1h} and {@code 1d} are converted, anything else is sent as given. */
    static String isoDuration(String given) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([smhd])").matcher(given.strip().toLowerCase(java.util.Locale.ROOT));
        if (!m.matches()) {
            return given;
        }
        return switch (m.group(2)) {
            case "d" -> "P" + m.group(1) + "D";
            default -> "PT" + m.group(1) + m.group(2).toUpperCase(java.util.Locale.ROOT);
        };
    }
}
