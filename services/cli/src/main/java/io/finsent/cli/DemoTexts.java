package io.finsent.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.finsent.ingest.demo.DemoStream;

/** Texts of the synthetic demo stream, for benchmarks that need no data file. */
final class DemoTexts {

    private DemoTexts() {
    }

    /** The first {@code count} demo items' texts, the same for every run (fixed seed). */
    static List<String> sample(int count) {
        DemoStream stream = new DemoStream(42, Instant.parse("2015-06-01T09:00:00Z"), DemoStream.Script.defaults());
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            DemoStream.DemoItem demo = stream.next();
            String title = demo.item().title();
            String body = demo.item().body();
            texts.add(title == null || title.isBlank() ? body : body == null || body.isBlank() ? title : title + "\n" + body);
        }
        return texts;
    }
}
