package io.finsent.bench.pipeline;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.ingest.demo.DemoStream;

/** Texts of the synthetic demo stream, for benchmarks that need no data file. */
public final class DemoTexts {

    private DemoTexts() {
    }

    /**
     * The first {@code count} demo items as an archive file (JSONL with id, published_at, source, tickers, headline), one
     * item every few seconds of event time from 2015-06-01: the same for every run (fixed seed).
     */
    static void archive(int count, Path file) throws IOException {
        DemoStream stream = new DemoStream(42, Instant.parse("2015-06-01T09:00:00Z"), DemoStream.Script.defaults());
        ObjectMapper mapper = new ObjectMapper();
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            for (int i = 0; i < count; i++) {
                var item = stream.next().item();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", "demo-" + i);
                row.put("published_at", item.publishedAt().toString());
                row.put("source", item.source());
                row.put("tickers", item.tickers());
                row.put("headline", text(item.title(), item.body()));
                out.write(mapper.writeValueAsString(row));
                out.newLine();
            }
        }
    }

    private static String text(String title, String body) {
        return title == null || title.isBlank() ? body : body == null || body.isBlank() ? title : title + "\n" + body;
    }

    /** The first {@code count} demo items' texts, the same for every run (fixed seed). */
    public static List<String> sample(int count) {
        DemoStream stream = new DemoStream(42, Instant.parse("2015-06-01T09:00:00Z"), DemoStream.Script.defaults());
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            DemoStream.DemoItem demo = stream.next();
            texts.add(text(demo.item().title(), demo.item().body()));
        }
        return texts;
    }
}
