package io.finsent.ingest.archive;

/** Paces rows to at most N per second (0: unlimited), evenly, without bursts after a pause. */
final class RateLimit {

    private final long intervalNanos;
    private long next = System.nanoTime();

    RateLimit(double perSecond) {
        if (perSecond < 0 || Double.isNaN(perSecond)) {
            throw new IllegalArgumentException("--rate must be a positive number of rows per second (or 0 for no limit), got " + perSecond);
        }
        this.intervalNanos = perSecond == 0 ? 0 : (long) (1e9 / perSecond);
    }

    void acquire() throws InterruptedException {
        if (intervalNanos == 0) {
            return;
        }
        long now = System.nanoTime();
        if (next < now) {
            next = now;
        }
        long wait = next - now;
        next += intervalNanos;
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
