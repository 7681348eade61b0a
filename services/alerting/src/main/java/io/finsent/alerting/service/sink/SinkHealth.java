package io.finsent.alerting.service.sink;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Health of the sinks into PostgreSQL (the trend sink, the scored text sink). Liveness: each loop runs (a crashed or
 * stalled loop needs a restart). Readiness: each one's last write reached PostgreSQL (DOWN while the database is
 * unreachable; the datasource's own check says the same for the API).
 */
public final class SinkHealth {

    private SinkHealth() {
    }

    static HealthCheckResponse alive(String name, DatabaseSinkLoop loop) {
        HealthCheckResponseBuilder b = HealthCheckResponse.named(name).status(loop.alive()).withData("lag", loop.lag());
        if (loop.crash() != null) {
            b.withData("crash", String.valueOf(loop.crash().getMessage()));
        }
        return b.build();
    }

    static HealthCheckResponse writing(String name, DatabaseSinkLoop loop) {
        String problem = loop.databaseProblem();
        HealthCheckResponseBuilder b = HealthCheckResponse.named(name).status(problem == null).withData("lag", loop.lag());
        if (problem != null) {
            b.withData("problem", problem);
        }
        return b.build();
    }

    @Liveness
    @ApplicationScoped
    public static class TrendsAlive implements HealthCheck {
        private final TrendSink sink;

        TrendsAlive(TrendSink sink) {
            this.sink = sink;
        }

        @Override
        public HealthCheckResponse call() {
            return alive("trend-sink", sink.loop());
        }
    }

    @Readiness
    @ApplicationScoped
    public static class TrendsWriting implements HealthCheck {
        private final TrendSink sink;

        TrendsWriting(TrendSink sink) {
            this.sink = sink;
        }

        @Override
        public HealthCheckResponse call() {
            return writing("trend-sink-writes", sink.loop());
        }
    }

    @Liveness
    @ApplicationScoped
    public static class TextsAlive implements HealthCheck {
        private final ScoredTextSink sink;

        TextsAlive(ScoredTextSink sink) {
            this.sink = sink;
        }

        @Override
        public HealthCheckResponse call() {
            return alive("text-sink", sink.loop());
        }
    }

    @Readiness
    @ApplicationScoped
    public static class TextsWriting implements HealthCheck {
        private final ScoredTextSink sink;

        TextsWriting(ScoredTextSink sink) {
            this.sink = sink;
        }

        @Override
        public HealthCheckResponse call() {
            return writing("text-sink-writes", sink.loop());
        }
    }
}
