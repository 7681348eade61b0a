package io.finsent.alerting.service.sink;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Health of the trend sink. Liveness: its loop runs (a crashed or stalled loop needs a restart). Readiness: its
 * last write reached PostgreSQL (DOWN while the database is unreachable; the datasource's own check says the
 * same for the API).
 */
public final class SinkHealth {

    private SinkHealth() {
    }

    /** The sink loop is running. */
    @Liveness
    @ApplicationScoped
    public static class Alive implements HealthCheck {
        private final TrendSink sink;

        Alive(TrendSink sink) {
            this.sink = sink;
        }

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder b = HealthCheckResponse.named("trend-sink").status(sink.alive()).withData("lag", sink.lag());
            if (sink.crash() != null) {
                b.withData("crash", String.valueOf(sink.crash().getMessage()));
            }
            return b.build();
        }
    }

    /** The sink's writes reach PostgreSQL. */
    @Readiness
    @ApplicationScoped
    public static class Writing implements HealthCheck {
        private final TrendSink sink;

        Writing(TrendSink sink) {
            this.sink = sink;
        }

        @Override
        public HealthCheckResponse call() {
            String problem = sink.databaseProblem();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("trend-sink-writes").status(problem == null).withData("lag", sink.lag());
            if (problem != null) {
                b.withData("problem", problem);
            }
            return b.build();
        }
    }
}
