package io.finsent.local.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

import io.finsent.local.LocalStack;
import io.finsent.local.LocalStackConfig;

/**
 * One embedded stack per test JVM, started on first use on free ports and stopped when the JVM
 * exits, so every integration test of a module shares one broker and one database.
 */
public final class SharedLocalStack {

    private static LocalStack stack;

    private SharedLocalStack() {
    }

    public static synchronized LocalStack get() {
        if (stack == null) {
            try {
                stack = LocalStack.start(LocalStackConfig.ephemeral(Files.createTempDirectory("finsent-stack-")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return stack;
    }
}
