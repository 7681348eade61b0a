package io.finsent.service.api;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Answers an {@link ApiProblem} thrown by any resource of the service. */
public class ApiErrors {

    @ServerExceptionMapper
    public Response problem(ApiProblem e) {
        return e.toResponse();
    }
}
