package io.finsent.scoring;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Tells a waiting stream thread that some model call of its topology has finished. A thread whose task must wait for
 * its own call wakes as soon as any call finishes, not only its own: the finished call belongs to a task that needs the
 * stream thread to forward its results and hand the encoder its next batch, and an encoder thread stays idle until it
 * does. Waiting for one task's call alone left encoder threads idle while that task's call was still queued.
 */
final class CallCompletions {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition finished = lock.newCondition();
    private long count;

    /** How many calls have finished so far; pass it to {@link #awaitAfter}. */
    long count() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    void finishedOne() {
        lock.lock();
        try {
            count++;
            finished.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until more than {@code seen} calls have finished, at most {@code nanos}. */
    void awaitAfter(long seen, long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (count <= seen && left > 0) {
                left = finished.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }
}
