package io.finsent.replay;

/** A replay stopped before its end (Ctrl-C or {@link Replay#cancel()}); its committed progress is kept for a resume. */
public final class ReplayCancelledException extends RuntimeException {

    public ReplayCancelledException(String message) {
        super(message);
    }
}
