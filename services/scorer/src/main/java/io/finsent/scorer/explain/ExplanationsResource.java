package io.finsent.scorer.explain;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.finsent.encoder.Encoder;
import io.finsent.encoder.Occlusion;
import io.finsent.scorer.ScorerConfig;
import io.finsent.scorer.replay.ScorerKeys;
import io.finsent.service.api.ApiProblem;
import io.finsent.service.api.JsonRequests;
import io.smallrye.common.annotation.Blocking;

/**
 * {@code POST /v1/explanations}: why the scorer's model gives a text its label, word by word ({@link Occlusion}), with the
 * encoder the stream uses. One explanation at a time (a second at once is 429: it would take the stream's CPU), texts of
 * at most {@code scorer.explain.max-words} words (422 above). Needs the admin key or the explain key ({@link ScorerKeys}).
 */
@Path("/v1/explanations")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ScorerKeys.ADMIN, ScorerKeys.EXPLAIN})
@Blocking
public class ExplanationsResource {

    private static final int MAX_BODY_BYTES = 256 * 1024;

    /** The request: the text to explain. */
    public record Body(@NotNull(message = "is required") String text) {
    }

    /** The answer: label, probabilities (negative, neutral, positive), each word's weight and offsets, and the model. */
    public record Explanation(String label, Map<String, Double> probabilities, List<Occlusion.Word> tokens, String model) {
    }

    private final Encoder encoder;
    private final JsonRequests json;
    private final int maxWords;
    private final Semaphore oneAtATime = new Semaphore(1);

    ExplanationsResource(Encoder encoder, JsonRequests json, ScorerConfig config) {
        this.encoder = encoder;
        this.json = json;
        this.maxWords = config.explain().maxWords();
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Explanation explain(byte[] body) {
        String text = json.read(body, MAX_BODY_BYTES, Body.class).text();
        if (text.isBlank()) {
            throw ApiProblem.badRequest("text: is empty");
        }
        if (!oneAtATime.tryAcquire()) {
            throw new ApiProblem(Response.Status.TOO_MANY_REQUESTS, "another explanation is being computed on this scorer; try again in a few seconds")
                    .withHeader("Retry-After", "2");
        }
        try {
            Occlusion.Explanation e = Occlusion.explain(encoder, text, maxWords);
            return new Explanation(e.label(), e.probabilities(), e.tokens(), encoder.config().name() + " " + encoder.config().version());
        } catch (Occlusion.TooManyWords e) {
            throw ApiProblem.unprocessable(e.getMessage() + " (scorer.explain.max-words)");
        } catch (IllegalStateException e) {
            throw ApiProblem.unprocessable(e.getMessage());
        } finally {
            oneAtATime.release();
        }
    }
}
