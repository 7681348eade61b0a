package io.finsent.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** How the stack starts its child processes. */
public final class ChildProcesses {

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private ChildProcesses() {
    }

    /**
     * The command prefix that puts a child in a session of its own, where the system has {@code setsid}.
     * Ctrl-C in a terminal then reaches only the parent, which stops its children in order (services
     * before the broker they use) instead of all of them at once.
     */
    public static List<String> ownSession() {
        return Files.isExecutable(SETSID) ? List.of(SETSID.toString()) : List.of();
    }
}
