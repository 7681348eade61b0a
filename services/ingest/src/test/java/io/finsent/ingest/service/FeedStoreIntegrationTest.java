package io.finsent.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import io.finsent.common.Topics;
import io.finsent.local.LocalStack;
import io.finsent.local.testing.LocalStackExtension;

/** The feed list in feed.config, on the real broker: what a later start reads back, and what it skips. */
@ExtendWith(LocalStackExtension.class)
@Timeout(120)
class FeedStoreIntegrationTest {

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    private static Map<String, Object> kafka(String bootstrap) {
        Map<String, Object> kafka = new HashMap<>();
        kafka.put("bootstrap.servers", bootstrap);
        return kafka;
    }

    @Test
    void aLaterStartReadsTheLatestDefinitionOfEachFeedAndNotTheRemovedOnes(LocalStack stack) throws Exception {
        String kept = "f-kept-" + run;
        String removed = "f-removed-" + run;
        try (FeedStore store = new FeedStore(kafka(stack.bootstrapServers()), Clock.systemUTC())) {
            store.save(kept, new FeedSpec("https://example.com/a.xml?token=t", null, List.of(), null));
            store.save(removed, FeedSpec.of("https://example.com/b.xml", Duration.ofMinutes(10)));
            store.save(kept, new FeedSpec("https://example.com/a.xml?token=t", Duration.ofMinutes(2), List.of("AAPL", "MSFT"), "Apple newsroom"));
            store.delete(removed);
        }
        // A record that is not a FeedDefinition, from whatever wrote it
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.FEED_CONFIG.name(), "f-garbage-" + run, "not avro".getBytes())).get();
        }

        try (FeedStore later = new FeedStore(kafka(stack.bootstrapServers()), Clock.systemUTC())) {
            Map<String, FeedSpec> feeds = later.load();

            assertThat(feeds).containsKey(kept).doesNotContainKey(removed).doesNotContainKey("f-garbage-" + run);
            assertThat(feeds.get(kept)).isEqualTo(new FeedSpec("https://example.com/a.xml?token=t", Duration.ofMinutes(2), List.of("AAPL", "MSFT"),
                    "Apple newsroom"));
        }
    }

    @Test
    void aWriteKafkaDoesNotTakeIsAnErrorThatSaysNothingChanged() throws Exception {
        int closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = probe.getLocalPort();
        }
        try (FeedStore store = new FeedStore(kafka("127.0.0.1:" + closed), Clock.systemUTC())) {
            assertThatThrownBy(() -> store.save("f-x", FeedSpec.of("https://example.com/x.xml", null))).isInstanceOf(FeedStore.FeedStoreException.class)
                    .hasMessageContaining("feed.config").hasMessageContaining("nothing changed");
        }
    }
}
