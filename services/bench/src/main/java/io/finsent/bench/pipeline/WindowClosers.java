package io.finsent.bench.pipeline;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;

import io.finsent.common.Topics;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;

/**
 * Closes the last trend windows of a bounded input on the live pipeline: one text without tickers per partition of
 * text.scored, dated after the input, so every partition's event time passes the last window's end plus the grace and
 * the windows close now rather than when the partitions go quiet ({@code alerting.idle-after}). Their ids hash to each
 * partition the way the scorer's producer partitions its output. They match no ticker topic and are counted nowhere.
 */
public final class WindowClosers {

    private WindowClosers() {
    }

    /** Publishes the closers to text.raw, dated {@code at}, with ids starting {@code prefix}. */
    public static void publish(String bootstrap, String prefix, Instant at) throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
             var producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                     Topics.RAW_TEXT.keySerde().serializer(), Topics.RAW_TEXT.valueSerde().serializer())) {
            int partitions = admin.describeTopics(List.of(Topics.SCORED_TEXT.name())).allTopicNames().get().get(Topics.SCORED_TEXT.name())
                    .partitions().size();
            boolean[] covered = new boolean[partitions];
            for (int n = 0, left = partitions; left > 0; n++) {
                String id = prefix + n;
                int partition = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions;
                if (covered[partition]) {
                    continue;
                }
                covered[partition] = true;
                left--;
                RawText closer = RawText.newBuilder().setId(id).setSourceKind(SourceKind.ARCHIVE).setSource("window-closer")
                        .setPublishedAt(at).setIngestedAt(Instant.now()).setBody("End of a bounded input: closes its last trend windows.")
                        .setTickers(List.of()).build();
                producer.send(new ProducerRecord<>(Topics.RAW_TEXT.name(), null, at.toEpochMilli(), id, closer)).get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish the window closers: " + e.getCause(), e.getCause());
        }
    }
}
