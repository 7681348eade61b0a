package io.finsent.service.api;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.Response;

/**
 * A refused request in any of the services' APIs: its status, a message that says what to do next, and any headers the
 * answer needs ({@code Retry-After}, {@code WWW-Authenticate}). {@link ApiErrors} answers it as {@link ApiError}
 * {@code {"error": message}}.
 */
public class ApiProblem extends RuntimeException {

    private final Response.StatusType status;
    private final Map<String, String> headers;

    public ApiProblem(Response.StatusType status, String message) {
        this(status, message, Map.of());
    }

    private ApiProblem(Response.StatusType status, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.headers = headers;
    }

    public static ApiProblem badRequest(String message) {
        return new ApiProblem(Response.Status.BAD_REQUEST, message);
    }

    public static ApiProblem unauthorized(String message) {
        return new ApiProblem(Response.Status.UNAUTHORIZED, message);
    }

    public static ApiProblem forbidden(String message) {
        return new ApiProblem(Response.Status.FORBIDDEN, message);
    }

    public static ApiProblem notFound(String message) {
        return new ApiProblem(Response.Status.NOT_FOUND, message);
    }

    public static ApiProblem tooLarge(String message) {
        return new ApiProblem(Response.Status.REQUEST_ENTITY_TOO_LARGE, message);
    }

    /** 422: the request is well-formed, but this one cannot be done (e.g. over a work cap). */
    public static ApiProblem unprocessable(String message) {
        return new ApiProblem(UNPROCESSABLE, message);
    }

    /** 503: what the request needs is away or not set up; the message says which. */
    public static ApiProblem unavailable(String message) {
        return new ApiProblem(Response.Status.SERVICE_UNAVAILABLE, message);
    }

    /** HTTP 422, which {@link Response.Status} lacks. */
    private static final Response.StatusType UNPROCESSABLE = new Response.StatusType() {
        @Override
        public int getStatusCode() {
            return 422;
        }

        @Override
        public Response.Status.Family getFamily() {
            return Response.Status.Family.CLIENT_ERROR;
        }

        @Override
        public String getReasonPhrase() {
            return "Unprocessable Content";
        }
    };

    /** The same problem, answered with one more header. */
    public ApiProblem withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiProblem(status, getMessage(), Map.copyOf(more));
    }

    public Response.StatusType status() {
        return status;
    }

    public Response toResponse() {
        Response.ResponseBuilder answer = ApiError.response(status, getMessage());
        headers.forEach(answer::header);
        return answer.build();
    }
}
