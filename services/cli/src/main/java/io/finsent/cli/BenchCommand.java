package io.finsent.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.finsent.bench.encoder.BenchmarkResult;
import io.finsent.bench.encoder.EncoderBenchmark;
import io.finsent.encoder.EncoderException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./monitor bench}: measures a component on this machine; speed targets live here, not in unit tests. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks a component on this machine.",
        subcommands = {BenchCommand.EncoderBench.class, PipelineBenchCommand.class, ReplayBenchCommand.class, CatchupBenchCommand.class,
                SoakBenchCommand.class, ExplainBenchCommand.class, AlertingBenchCommand.class})
final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code ./monitor bench encoder}: GEMM rate, batch sweep, bucketing against arrival order, tokenisation share. */
    @Command(name = "encoder", mixinStandardHelpOptions = true,
            description = {"Measures the encoder runtime on this machine.",
                    "This machine's fp32 GEMM rate through ONNX Runtime, sequences/s and GFLOP/s over a",
                    "batch sweep, length-bucketed vs arrival-order batches on mixed-length text, batch 1,",
                    "the real-token share and the tokenisation share of encoder time."})
    static final class EncoderBench implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ModelOption model;

        @Mixin
        DeviceOption device;

        @Option(names = "--data", description = "JSONL file with a \"headline\" per line (default: synthetic mixed-length financial text).")
        Path data;

        @Option(names = "--texts", defaultValue = "256", description = "Texts in the mixed set (default: ${DEFAULT-VALUE}).")
        int texts;

        @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--int8-model", description = "Static int8 model measured side by side with --model (default: models/finsent-sentiment-int8 "
                + "of this checkout when it exists; fp32_per_s, int8_per_s, int8_speedup).")
        Path int8Model;

        @Mixin
        JsonOption output;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            // the float model unless told otherwise: this measures it against its int8 copy
            Path modelDir = model.model != null ? model.model : Models.floatModel();
            BenchmarkResult result;
            try {
                Path int8 = int8Model != null ? int8Model : Models.defaultInt8Model().filter(dir -> !dir.equals(modelDir)).orElse(null);
                result = EncoderBenchmark.run(EncoderBenchmark.Settings.defaults(modelDir).withDevice(device.device)
                        .withData(data).withTexts(texts).withIntraOpThreads(threads).withInt8Model(int8));
            } catch (EncoderException | IllegalArgumentException e) {
                err.println("monitor bench encoder: " + e.getMessage());
                return 1;
            }
            out.println(output.json ? result.toJson() : result.toTable());
            out.flush();
            return 0;
        }
    }
}
