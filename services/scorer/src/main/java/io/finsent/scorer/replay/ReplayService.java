package io.finsent.scorer.replay;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.finsent.common.Topics;
import io.finsent.encoder.Encoder;
import io.finsent.replay.Replay;
import io.finsent.replay.ReplayOptions;
import io.finsent.scorer.ScorerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Replays started over the API, one at a time per scorer instance, each on this service's own replay thread (a
 * replay runs for minutes: never on an HTTP or worker thread). They read the raw topic by timestamp and score with
 * the scorer's own encoder session, shared with live. Runs are remembered until the scorer stops; a run's rows and
 * topics outlive it (list them with the alerting service's {@code GET /v1/runs}).
 */
@ApplicationScoped
public class ReplayService {

    private static final Logger LOG = Logger.getLogger(ReplayService.class);
    /** How long a stopping scorer lets a running replay close its applications, committing what they did. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(90);

    /** A replay could not start: another one runs. */
    public static final class Busy extends RuntimeException {
        Busy(String message) {
            super(message, null, false, false);
        }
    }

    private final ScorerConfig config;
    private final Encoder encoder;
    private final String bootstrapServers;
    private final Map<String, Object> kafkaSettings;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "replay"));
    private final Map<String, ReplayJob> jobs = new LinkedHashMap<>();
    private ReplayJob current;

    /**
     * @param kafkaSettings the scorer's own {@code kafka.*} settings (SASL_SSL in production), so a replay connects as the
     *                      scorer does; the {@code streams.*} keys among them are left out, as no client knows them
     */
    ReplayService(ScorerConfig config, Encoder encoder, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                  @Identifier("default-kafka-broker") Map<String, Object> kafkaSettings) {
        this.config = config;
        this.encoder = encoder;
        this.bootstrapServers = bootstrapServers;
        this.kafkaSettings = kafkaSettings;
    }

    /**
     * Starts a replay, or resumes the run of the same id where it stopped.
     *
     * @throws IllegalArgumentException for a request the replay refuses (bad run id, range, threads ...)
     * @throws Busy                     while another replay runs
     */
    public synchronized ReplayStatus start(ReplayRequest request) {
        ReplayOptions options = options(request);
        if (current != null && current.running()) {
            throw new Busy("replay " + current.runId() + " is running; one replay at a time per scorer: wait for it or cancel it"
                    + " (DELETE /v1/replays/" + current.runId() + ")");
        }
        ReplayJob job = new ReplayJob(request, listener -> new Replay(options, encoder, listener), Clock.systemUTC());
        jobs.remove(request.runId()); // a resumed run moves to the end of the list
        jobs.put(request.runId(), job);
        current = job;
        thread.execute(job::run);
        LOG.infof("replay %s started over the API: %s to %s", request.runId(), request.from(), request.to());
        return job.status();
    }

    public synchronized List<ReplayStatus> list() {
        return jobs.values().stream().map(ReplayJob::status).toList();
    }

    public synchronized Optional<ReplayStatus> status(String runId) {
        return Optional.ofNullable(jobs.get(runId)).map(ReplayJob::status);
    }

    /**
     * Asks a running replay to stop; it is then {@code cancelled} within seconds, with its progress committed.
     *
     * @return the status, empty for an unknown run
     * @throws Busy when the run is not running (nothing to cancel)
     */
    public synchronized Optional<ReplayStatus> cancel(String runId) {
        ReplayJob job = jobs.get(runId);
        if (job == null) {
            return Optional.empty();
        }
        if (!job.running()) {
            throw new Busy("replay " + runId + " is not running: nothing to cancel (POST it again to resume or rerun it)");
        }
        job.cancel();
        LOG.infof("replay %s cancelled over the API", runId);
        return Optional.of(job.status());
    }

    private ReplayOptions options(ReplayRequest request) {
        ScorerConfig.ReplaySettings replay = config.replay();
        return ReplayOptions.of(request.runId(), request.from(), request.to(), bootstrapServers, config.modelDir(),
                        replay.stateDir().resolve(request.runId()))
                .withSourceTopic(Topics.RAW_TEXT.name()).withThreads(request.threads()).withMaxBatch(request.maxBatch())
                .withGrace(request.grace()).withDatabase(replay.jdbcUrl().orElse(null), replay.jdbcUser(), replay.rowsWait())
                .withKafkaSettings(kafkaSettings);
    }

    /** On shutdown, before the encoder closes: a running replay stops with its progress committed, to be resumed later. */
    void stop(@Observes ShutdownEvent event) {
        synchronized (this) {
            if (current != null && current.running()) {
                current.cancel();
            }
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warnf("a replay did not stop within %s; it resumes from its last commit", STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
