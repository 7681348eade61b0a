package io.finsent.scoring;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the scorer's tasks on one stream thread share: how long the thread may still wait for model calls before its
 * next commit, and whether all of its tasks are full.
 *
 * <p>Kafka Streams runs a thread's tasks one after another, polls only when none of them has a buffered record left,
 * and punctuates and commits between rounds. Two consequences shape the waiting:
 * <ul>
 * <li>A bound per wait would add up over the tasks (six tasks each waiting for their call behind the others' held a
 * transaction open past its timeout, and the thread was fenced). The wait budget is therefore the thread's, spent by
 * whichever task waits and renewed at the thread's next punctuation, which comes right before its commit.</li>
 * <li>A task that waits holds up every other task of its thread: they get a record a round while it waits, and no poll
 * brings them more until its own records are gone. A full task therefore waits only when every task of its thread is
 * full too (then the encoder is the bottleneck and waiting is the back-pressure wanted), or when it is past its hard
 * limit (bounded memory even if its siblings have nothing to do).</li>
 * </ul>
 * Only the stream thread that runs a task touches the budget; the set of tasks is concurrent because a task may be
 * closed from another thread.
 */
final class StreamThreadTasks {

    /** A task's buffer as its stream thread sees it. */
    interface Task {
        /** Whether the task buffers its limit of batches behind its call in flight. */
        boolean full();
    }

    private static final ThreadLocal<StreamThreadTasks> CURRENT = ThreadLocal.withInitial(StreamThreadTasks::new);

    private final Set<Task> tasks = ConcurrentHashMap.newKeySet();
    private long spentNanos;

    private StreamThreadTasks() {
    }

    /** The calling stream thread's. */
    static StreamThreadTasks current() {
        return CURRENT.get();
    }

    void join(Task task) {
        tasks.add(task);
    }

    void leave(Task task) {
        tasks.remove(task);
    }

    /** Whether every task of this thread is full. */
    boolean allFull() {
        for (Task task : tasks) {
            if (!task.full()) {
                return false;
            }
        }
        return true;
    }

    /** What is left of {@code budgetNanos} for this thread until its next punctuation. */
    long remainingNanos(long budgetNanos) {
        return Math.max(0, budgetNanos - spentNanos);
    }

    void spend(long nanos) {
        spentNanos += nanos;
    }

    /** A punctuation of this thread: a commit follows, so the budget starts again. */
    void renew() {
        spentNanos = 0;
    }
}
