package io.finsent.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.avro.generic.GenericRecord;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.finsent.ingest.ItemIds;
import io.finsent.local.testing.LocalStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** With ingest.demo.enabled, the service publishes synthetic items in real time, with no feed or client. */
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
            return Map.of("ingest.demo.enabled", "true", "ingest.demo.items-per-minute", "600", "ingest.demo.seed", Long.toString(SEED));
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
}
