package io.finsent.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./monitor push TEXT}: one text into the pipeline through a running ingest service's push API ({@code POST /v1/items}). */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Pushes one text into the running pipeline through ingest's push API.",
                "It is published to text.raw, scored and counted in its topics' windows like any other text; the answer names its id."})
final class PushCommand extends IngestCommand {

    @Mixin
    JsonOption json;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The text (a headline or a post).")
    String text;

    @Option(names = "--ticker", paramLabel = "T", description = "A ticker the text is about; repeatable (cashtags in the text count too).")
    List<String> tickers = new ArrayList<>();

    @Option(names = "--source", defaultValue = "cli", paramLabel = "S", description = "Where the text comes from (default: ${DEFAULT-VALUE}).")
    String source;

    @Option(names = "--published-at", paramLabel = "ISO", description = "Its publication time, ISO-8601 with a zone (default: now).")
    String publishedAt;

    @Option(names = "--url", paramLabel = "URL", description = "The text's URL, if it has one.")
    String url;

    @Override
    int run(PrintWriter out) throws Usage, InterruptedException {
        Instant at;
        if (publishedAt == null) {
            at = Instant.now();
            if (!json.json) {
                out.println("published_at: now, " + at + " (--published-at to give the real time)");
            }
        } else {
            try {
                at = Instant.parse(publishedAt);
            } catch (DateTimeParseException e) {
                throw new Usage("--published-at " + publishedAt + " is not an ISO-8601 instant such as 2026-12-04T09:30:00Z");
            }
        }
        ObjectNode item = new ObjectMapper().createObjectNode().put("source", source).put("published_at", at.toString()).put("text", text);
        if (!tickers.isEmpty()) {
            tickers.forEach(item.putArray("tickers")::add);
        }
        if (url != null) {
            item.put("url", url);
        }
        Answer answer = ingest.send("POST", "/v1/items", item.toString());
        if (answer.status() != 202) {
            throw new Usage("ingest refused the text (HTTP " + answer.status() + "): " + answer.error()
                    + (answer.body() != null && answer.body().has("items") ? " " + answer.body().get("items") : ""));
        }
        if (json.json) {
            out.println(answer.body().toString());
        } else {
            boolean published = answer.body().path("published").asInt() > 0;
            out.println((published ? "published " : "already published (a duplicate) ") + answer.body().path("ids").path(0).asText());
        }
        return 0;
    }
}
