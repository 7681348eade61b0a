package io.finsent.local;

import java.util.Arrays;

/**
 * Entry point of the broker's child JVM: {@code format} runs Kafka's storage tool, {@code run} the
 * broker itself. Both watch the parent process and exit when it is gone, so a killed parent never
 * leaves a broker running.
 */
public final class BrokerProcess {

    private BrokerProcess() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: BrokerProcess format|run PARENT_PID ARGS...");
        }
        long parent = Long.parseLong(args[1]);
        ProcessHandle.of(parent).ifPresentOrElse(
                handle -> handle.onExit().thenRun(() -> Runtime.getRuntime().halt(3)),
                () -> Runtime.getRuntime().halt(3));
        String[] rest = Arrays.copyOfRange(args, 2, args.length);
        switch (args[0]) {
            case "format" -> kafka.tools.StorageTool.main(rest);
            case "run" -> kafka.Kafka.main(rest);
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }
}
