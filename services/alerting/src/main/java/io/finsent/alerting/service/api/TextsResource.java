package io.finsent.alerting.service.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jdbi.v3.core.Jdbi;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.finsent.alerting.store.ScoredTextTable;
import io.finsent.common.ModelText;
import io.finsent.common.StorableText;
import io.finsent.common.StorableTime;
import io.finsent.schema.Sentiment;
import io.finsent.service.api.ApiProblem;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;

/**
 * Scored texts as the scorer wrote them (stored by the scored text sink): an analyst reads the texts of the topics they
 * subscribe to (every topic with a {@code *} subscription), a key with the admin role every text. Pages are newest first;
 * {@code next_cursor} continues where a page ended. A text's explanation comes from the scorer ({@link ScorerExplanations}).
 */
@Path("/v1/texts")
@Tag(name = "texts", description = "Scored texts of the caller's topics (every text for an admin key)")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({AlertingKeys.ANALYST, AlertingKeys.ADMIN})
public class TextsResource {

    static final int MAX_LIMIT = 500;
    /** Longer text-search queries are refused: a query is a few words, not a document. */
    static final int MAX_QUERY_CHARS = 200;
    private static final int MAX_CATEGORY_CHARS = 64;

    /** A page of texts; {@code next_cursor} is null on the last page. */
    public record Page(List<ScoredTextTable.Text> texts, @JsonProperty("next_cursor") String nextCursor) {
    }

    private final ScoredTextTable texts;
    private final ScorerExplanations explanations;
    private final SecurityIdentity identity;

    TextsResource(Jdbi jdbi, ScorerExplanations explanations, SecurityIdentity identity) {
        this.texts = jdbi.onDemand(ScoredTextTable.class);
        this.explanations = explanations;
        this.identity = identity;
    }

    @GET
    @Operation(summary = "Scored texts, newest first",
            description = "topic; from, to: ISO-8601, published_at in [from, to) (default the last 24 hours); label: negative, neutral or"
                    + " positive; category; q: words to search in the title and text (web-search syntax: \"a phrase\", -word, or);"
                    + " run (default live); limit (1..500, default 50); cursor: the next_cursor of the page before.")
    @APIResponse(responseCode = "403", description = "a topic the caller does not subscribe to")
    public Page list(@QueryParam("topic") String topic, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("label") String label, @QueryParam("category") String category, @QueryParam("q") String q,
            @QueryParam("run") @DefaultValue("live") String run, @QueryParam("limit") @DefaultValue("50") int limit,
            @QueryParam("cursor") String cursor) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiProblem.badRequest("limit must be 1 to " + MAX_LIMIT + ", not " + limit);
        }
        Times.Range range = Times.range(from, to);
        String labelName = label(label);
        String categoryName = blankToNull(category);
        if (categoryName != null && categoryName.length() > MAX_CATEGORY_CHARS) {
            throw ApiProblem.badRequest("category is longer than " + MAX_CATEGORY_CHARS + " characters");
        }
        String query = blankToNull(q);
        if (query != null && query.length() > MAX_QUERY_CHARS) {
            throw ApiProblem.badRequest("q is " + query.length() + " characters, more than " + MAX_QUERY_CHARS + ": search for a few words");
        }
        Cursor after = Cursor.parse(cursor);
        Long reader = AlertingKeys.topicReader(identity);
        String topicName = blankToNull(topic);
        List<ScoredTextTable.Text> page;
        if (topicName == null) {
            page = texts.page(run, reader, range.from(), range.to(), labelName, categoryName, query, after.at(), after.id(), limit + 1);
        } else {
            if (!texts.subscribes(reader, topicName)) {
                throw ApiProblem.forbidden("you do not subscribe to topic '" + topicName + "': subscribe to it (POST /v1/subscriptions) to read its texts");
            }
            page = texts.pageOfTopic(run, topicName, reader, range.from(), range.to(), labelName, categoryName, query, after.at(), after.id(),
                    limit + 1);
        }
        if (page.size() <= limit) {
            return new Page(page, null);
        }
        List<ScoredTextTable.Text> shown = page.subList(0, limit);
        ScoredTextTable.Text last = shown.get(limit - 1);
        return new Page(List.copyOf(shown), new Cursor(last.publishedAt(), last.textId()).encode());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One scored text", description = "run (default live).")
    @APIResponse(responseCode = "403", description = "a text of no topic the caller subscribes to")
    @APIResponse(responseCode = "404", description = "no such text in the run")
    public ScoredTextTable.Text get(@PathParam("id") String id, @QueryParam("run") @DefaultValue("live") String run) {
        ScoredTextTable.Readable found = texts.readableBy(run, id, AlertingKeys.topicReader(identity))
                .orElseThrow(() -> ApiProblem.notFound("no text " + id + " in run " + run));
        if (!found.readable()) {
            throw ApiProblem.forbidden("text " + id + " is of no topic you subscribe to");
        }
        return found.text();
    }

    @GET
    @Path("/{id}/explanation")
    @Operation(summary = "Why the model gave a text its label, word by word", description = "Occlusion, computed by the scorer with the model"
            + " it scores with: each word's weight is how much removing it lowers the probability of the predicted label (negative: the word"
            + " spoke against it). text is what the model read (title, a newline, body); start and end are offsets in it. run (default live).")
    @APIResponse(responseCode = "403", description = "a text of no topic the caller subscribes to")
    @APIResponse(responseCode = "404", description = "no such text in the run")
    @APIResponse(responseCode = "422", description = "the text has more words than an explanation may occlude")
    @APIResponse(responseCode = "429", description = "the scorer is explaining another text; try again after Retry-After")
    @APIResponse(responseCode = "503", description = "no scorer to ask (alerting.explain.scorer-url), or it is away")
    public Explanation explanation(@PathParam("id") String id, @QueryParam("run") @DefaultValue("live") String run) {
        ScoredTextTable.Text text = get(id, run);
        String modelText = ModelText.of(text.title(), text.body());
        JsonNode e = explanations.explain(modelText);
        return new Explanation(text.textId(), modelText, e.path("label").asText(), e.path("probabilities"), e.path("tokens"),
                e.path("model").asText(), text.label());
    }

    /** An explanation of a stored text: what the model read, its label now, and the label stored when it was scored. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Explanation(String textId, String text, String label, JsonNode probabilities, JsonNode tokens, String model, String storedLabel) {
    }

    private static String label(String label) {
        String name = blankToNull(label);
        if (name == null) {
            return null;
        }
        try {
            return Sentiment.valueOf(name.toUpperCase(Locale.ROOT)).name();
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("label must be negative, neutral or positive, not '" + label + "'");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** Where a page ended: the last text's publication time and id, as URL-safe base64 of "epochMillis:id". */
    record Cursor(Instant at, String id) {

        static final Cursor NONE = new Cursor(null, null);

        static Cursor parse(String cursor) {
            if (cursor == null || cursor.isBlank()) {
                return NONE;
            }
            try {
                String decoded = new String(Base64.getUrlDecoder().decode(cursor.strip()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                Instant at = Instant.ofEpochMilli(Long.parseLong(decoded.substring(0, colon)));
                String id = decoded.substring(colon + 1);
                if (id.isEmpty() || StorableText.firstRefused(id) >= 0 || !StorableTime.holds(at)) {
                    throw new IllegalArgumentException("not a cursor");
                }
                return new Cursor(at, id);
            } catch (RuntimeException e) {
                throw ApiProblem.badRequest("cursor is not a next_cursor this API gave: pass it as it came, or leave it out for the first page");
            }
        }

        String encode() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString((at.toEpochMilli() + ":" + id).getBytes(StandardCharsets.UTF_8));
        }
    }
}
