package io.finsent.scorer.replay;

import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Function;

import io.finsent.replay.Replay;
import io.finsent.replay.ReplayCancelledException;
import io.finsent.replay.ReplayReport;

/**
 * One replay started over the API and what is known of it: its state, progress (done of total input records,
 * input records per second while scoring), times, and its report or error. The replay's thread writes, HTTP threads read: every
 * method is synchronized, and {@link #toMap()} is a consistent snapshot.
 */
final class ReplayJob implements Replay.Listener {

    enum State { RUNNING, COMPLETED, FAILED, CANCELLED }

    private final ReplayRequest request;
    private final Replay replay;
    private final Clock clock;
    private final Instant startedAt;
    private State state = State.RUNNING;
    private boolean cancelRequested;
    private String phase = "starting";
    private long done;
    private long total;
    private long firstProgressNanos;
    private long firstProgressDone;
    private double rate;
    private Instant finishedAt;
    private ReplayReport report;
    private String error;

    ReplayJob(ReplayRequest request, Function<Replay.Listener, Replay> replayOf, Clock clock) {
        this.request = request;
        this.replay = replayOf.apply(this);
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    String runId() {
        return request.runId();
    }

    /** Runs the replay to its end on the calling thread (the service's replay thread) and records how it ended. */
    void run() {
        try {
            ReplayReport result = replay.run();
            finish(State.COMPLETED, result, null);
        } catch (ReplayCancelledException e) {
            finish(State.CANCELLED, null, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish(State.CANCELLED, null, "the scorer stopped; POST the same run id to resume");
        } catch (RuntimeException e) {
            // Any failure ends this run, never the service: it is reported in the run's status.
            finish(State.FAILED, null, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** Asks the replay to stop at its next check; it closes its applications, committing what they did, then counts as cancelled. */
    synchronized void cancel() {
        cancelRequested = true;
        replay.cancel();
    }

    synchronized boolean running() {
        return state == State.RUNNING;
    }

    @Override
    public synchronized void phase(String description) {
        phase = description;
    }

    @Override
    public synchronized void progress(long doneNow, long totalNow) {
        long now = System.nanoTime();
        if (firstProgressNanos == 0) {
            firstProgressNanos = now;
            firstProgressDone = doneNow;
        } else if (now > firstProgressNanos) {
            rate = (doneNow - firstProgressDone) / ((now - firstProgressNanos) / 1e9);
        }
        done = doneNow;
        total = totalNow;
    }

    private synchronized void finish(State end, ReplayReport result, String why) {
        state = end;
        report = result;
        error = why;
        finishedAt = clock.instant();
        if (result != null) {
            done = result.inputRecords();
            total = result.inputRecords();
        }
    }

    synchronized ReplayStatus status() {
        return new ReplayStatus(request.runId(), state.name().toLowerCase(Locale.ROOT), cancelRequested, request.from().toString(),
                request.to().toString(), request.threads(), request.maxBatch(), request.grace() == null ? null : request.grace().toString(),
                phase, done, total, rate, state == State.RUNNING && rate > 0 ? (total - done) / rate : null, startedAt.toString(),
                finishedAt == null ? null : finishedAt.toString(), report, error);
    }
}
