package io.finsent.cli;

import picocli.CommandLine.Option;

/** {@code --json}: the command's result as one JSON object on stdout (progress, if any, on stderr). */
final class JsonOption {

    @Option(names = "--json", description = "Print one JSON object instead of the text report.")
    boolean json;
}
