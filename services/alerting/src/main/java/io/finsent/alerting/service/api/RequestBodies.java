package io.finsent.alerting.service.api;

import jakarta.enterprise.context.ApplicationScoped;

import io.finsent.alerting.service.AlertingConfig;
import io.finsent.service.api.JsonRequests;

/** The API's request bodies: read by service-support's {@link JsonRequests}, at most {@code alerting.api.max-body-bytes} (else 413). */
@ApplicationScoped
public class RequestBodies {

    private final JsonRequests json;
    private final int maxBytes;

    RequestBodies(JsonRequests json, AlertingConfig config) {
        this.json = json;
        this.maxBytes = config.api().maxBodyBytes();
    }

    /** {@code body} bound strictly into a request record, its constraints checked; any refusal is a 400 (or 413) naming the field. */
    public <T> T read(byte[] body, Class<T> type) {
        return json.read(body, maxBytes, type);
    }
}
