package io.finsent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./monitor}: the one entry point for users. Each subcommand has --help; those that report results have --json. */
@Command(name = "monitor", mixinStandardHelpOptions = true, versionProvider = Monitor.Version.class,
        description = "Streaming sentiment monitor for financial text.",
        subcommands = {
                UpCommand.class,
                EvalCommand.class,
                BenchCommand.class,
                ImportCommand.class,
                DemoCommand.class,
                ReplayCommand.class,
                BacktestCommand.class,
                FeedsCommand.class,
                PushCommand.class,
                ExplainCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Monitor implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Monitor()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Monitor.class.getPackage().getImplementationVersion();
            return new String[] {"monitor " + (version == null ? "(development build)" : version)};
        }
    }
}
