package io.finsent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.finsent.encoder.Encoder;
import io.finsent.encoder.EncoderException;
import io.finsent.encoder.EncoderOptions;
import io.finsent.encoder.Occlusion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./monitor explain "TEXT"}: the label the model gives a text, and each word's weight for it ({@link Occlusion}). */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Explains the model's label for a text, word by word.",
                "Each word's weight is how much removing it lowers the probability of the predicted label",
                "(occlusion; negative: the word spoke against the label)."})
final class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The text, in quotes.")
    String text;

    @Option(names = "--max-words", defaultValue = "" + Occlusion.DEFAULT_MAX_WORDS,
            description = "Refuse texts of more words: each word is one more model input (default: ${DEFAULT-VALUE}).")
    int maxWords;

    @Mixin
    ModelOption model;

    @Mixin
    DeviceOption device;

    @Mixin
    JsonOption output;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (text.isBlank()) {
            err.println("monitor explain: the text is empty");
            return 2;
        }
        if (maxWords < 1) {
            err.println("monitor explain: --max-words must be at least 1");
            return 2;
        }
        Occlusion.Explanation explanation;
        try (Encoder encoder = Encoder.open(model.dir(), EncoderOptions.defaults().withDevice(device.device))) {
            explanation = Occlusion.explain(encoder, text, maxWords);
        } catch (Occlusion.TooManyWords e) {
            err.println("monitor explain: " + e.getMessage() + " (or raise --max-words)");
            return 2;
        } catch (IllegalStateException e) {
            err.println("monitor explain: " + e.getMessage());
            return 2;
        } catch (EncoderException e) {
            err.println("monitor explain: " + e.getMessage());
            return 1;
        }
        if (output.json) {
            out.println(json(explanation));
        } else {
            print(out, explanation);
        }
        out.flush();
        return 0;
    }

    /** The explanation as the API answers it: label, probabilities, tokens [{text, start, end, weight}]. */
    static String json(Occlusion.Explanation e) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("label", e.label());
        root.put("probabilities", e.probabilities());
        root.put("tokens", e.tokens());
        return new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    }

    private static void print(PrintWriter out, Occlusion.Explanation e) {
        out.printf(Locale.ROOT, "%s  (negative %.3f, neutral %.3f, positive %.3f)%n%n", e.label(), e.probabilities().get("negative"),
                e.probabilities().get("neutral"), e.probabilities().get("positive"));
        double max = e.tokens().stream().mapToDouble(w -> Math.abs(w.weight())).max().orElse(0);
        List<Integer> heaviest = e.heaviest(3);
        out.printf("%-24s %9s%n", "word", "weight");
        for (int i = 0; i < e.tokens().size(); i++) {
            Occlusion.Word w = e.tokens().get(i);
            int bar = max == 0 ? 0 : (int) Math.round(20 * Math.abs(w.weight()) / max);
            out.printf(Locale.ROOT, "%-24s %+9.4f %s%s%n", w.text(), w.weight(), (w.weight() < 0 ? "-" : "+").repeat(bar),
                    heaviest.contains(i) && w.weight() > 0 ? "  <" : "");
        }
        out.printf("%n+ supports the label, - speaks against it; < the three heaviest words%n");
    }
}
