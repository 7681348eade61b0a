package io.finsent.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.avro.generic.GenericRecord;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.finsent.ingest.ItemIds;
import io.finsent.ingest.demo.DemoStream;
import io.finsent.local.testing.LocalStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With ingest.demo.enabled, the service publishes synthetic items with no feed or client: the backfill's history at once
 * (every item of the script from its start, a surge in it), then in real time.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@TestProfile(DemoSourceIntegrationTest.DemoOn.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DemoSourceIntegrationTest {

    // A constant: the profile and the test class are loaded by different class loaders, so a computed one would differ.
    static final long SEED = 7_777_001L;

    public static final class DemoOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ingest.demo.enabled", "true", "ingest.demo.items-per-minute", "120", "ingest.demo.seed", Long.toString(SEED),
                    "ingest.demo.backfill", "6m", "ingest.demo.cycle", "5m", "ingest.demo.surge-start", "2m", "ingest.demo.surge-length", "1m");
        }
    }

    @Inject
    DemoSource demo;

    @Test
    void demoItemsFlowIntoTheRawTopic() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (demo.nativeId(0) == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(demo.nativeId(0)).startsWith("demo-" + SEED + "-");
        String first = ItemIds.ofNativeId("demo", demo.nativeId(0));
        String tenth = ItemIds.ofNativeId("demo", demo.nativeId(9));

        var raw = TopicReader.awaitByKey(TopicReader.RAW_TEXT, r -> r.containsKey(first) && r.containsKey(tenth));

        assertThat(raw.keySet()).contains(first, tenth);
        GenericRecord item = TopicReader.decode("RawText", raw.get(first).get(0).value());
        assertThat(TopicReader.text(item, "source_kind")).isEqualTo("DEMO");
        assertThat(TopicReader.text(item, "author")).isEqualTo("demo generator");
        assertThat(TopicReader.texts(item, "tickers")).isNotEmpty();
        assertThat(raw.get(first)).hasSize(1);
    }

    @Test
    void theBackfillIsPublishedAtOnceSurgeIncludedAndNothingTwice() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (demo.start() == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Instant start = demo.start();
        // No earlier demo run in this stack: nothing is held back
        assertThat(demo.resumeAfter()).isNull();
        assertThat(Duration.between(start, Instant.now())).isBetween(Duration.ofMinutes(6), Duration.ofMinutes(7).plusSeconds(30));

        // The script from its start to 5 minutes in: about 600 items and a surge from minute 2 to 3, published at once
        DemoStream script = new DemoStream(SEED, start, new DemoStream.Script("BA", Duration.ofMinutes(5), Duration.ofMinutes(2),
                Duration.ofMinutes(1), 120, 1.0));
        List<DemoStream.DemoItem> history = new ArrayList<>();
        while (script.peekTime().isBefore(start.plus(Duration.ofMinutes(5)))) {
            history.add(script.next());
        }
        Set<String> ids = history.stream().map(i -> ItemIds.ofNativeId("demo", i.item().nativeId())).collect(Collectors.toSet());
        var raw = TopicReader.awaitByKey(TopicReader.RAW_TEXT, r -> r.keySet().containsAll(ids));
        assertThat(history).hasSizeGreaterThan(400).anyMatch(DemoStream.DemoItem::surge);
        assertThat(raw.keySet()).containsAll(ids);
        assertThat(ids).allMatch(id -> raw.get(id).size() == 1);
    }
}
