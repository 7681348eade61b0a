package io.finsent.cli;

import java.io.PrintWriter;

import io.finsent.replay.Replay;

/** A replay's phases as lines and its progress as a bar, on stderr. */
final class ReplayProgress implements Replay.Listener {

    private final PrintWriter err;
    private final String prefix;
    private ProgressBar bar;

    ReplayProgress(PrintWriter err, String prefix) {
        this.err = err;
        this.prefix = prefix;
    }

    @Override
    public void phase(String description) {
        err.println(prefix + ": " + description);
        err.flush();
    }

    @Override
    public void progress(long done, long total) {
        if (bar == null) {
            bar = new ProgressBar(err, "replaying", total);
        }
        bar.advance(done - bar.done());
    }
}
