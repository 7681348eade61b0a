package io.finsent.service.security;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;

import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import io.finsent.service.api.ApiProblem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Refusals of the security layer answered as every other refusal ({@code {"error": ...}}), in the words of the
 * service's {@link ApiKeyRealm}: a bad key (401 or 403, from the realm), no key (401), or a key without the role (403).
 * Only a service with a realm uses {@code @RolesAllowed}, so these are only raised where there is one.
 */
public class SecurityErrors {

    private final Instance<ApiKeyRealm> realms;
    private final SecurityIdentity identity;

    SecurityErrors(Instance<ApiKeyRealm> realms, SecurityIdentity identity) {
        this.realms = realms;
        this.identity = identity;
    }

    @ServerExceptionMapper
    public Response refusedKey(AuthenticationFailedException e) {
        ApiProblem problem = e.getCause() instanceof ApiProblem refused ? refused : ApiProblem.unauthorized(e.getMessage());
        return challenged(problem);
    }

    @ServerExceptionMapper
    public Response noKey(UnauthorizedException e) {
        return challenged(realms.get().missingKey());
    }

    @ServerExceptionMapper
    public Response notAllowed(ForbiddenException e, SimpleResourceInfo resource) {
        if (identity.isAnonymous()) {
            return challenged(realms.get().missingKey());
        }
        return realms.get().forbidden(ApiKeyIdentityProvider.caller(identity), rolesAllowed(resource)).toResponse();
    }

    private Response challenged(ApiProblem problem) {
        ApiProblem answer = problem.status().getStatusCode() == 401 ? problem.withHeader("WWW-Authenticate", realms.get().challenge()) : problem;
        return answer.toResponse();
    }

    /** The roles of the method's (or else its class's) {@code @RolesAllowed}. */
    static Set<String> rolesAllowed(SimpleResourceInfo resource) {
        Class<?> type = resource.getResourceClass();
        for (Method method : type.getMethods()) {
            if (method.getName().equals(resource.getMethodName())
                    && Arrays.equals(method.getParameterTypes(), resource.parameterTypes())) {
                RolesAllowed roles = method.getAnnotation(RolesAllowed.class);
                if (roles != null) {
                    return Set.of(roles.value());
                }
            }
        }
        RolesAllowed roles = type.getAnnotation(RolesAllowed.class);
        return roles == null ? Set.of() : Set.of(roles.value());
    }
}
