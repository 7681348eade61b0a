package io.finsent.replay;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.finsent.common.Topics;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;
import io.finsent.schema.TopicDefinition;
import io.finsent.schema.TopicTrendWindow;

/** Input of the replay tests: topics defined by ticker, raw texts in a test's own raw topic, and run-free trend windows to compare runs. */
final class ReplayTestTexts {

    private ReplayTestTexts() {
    }

    /** Creates topics of 6 partitions (1 for dead letters), kept by size as the catalogue's: time-based retention would delete 2015 records at once. */
    static void createTopics(String bootstrap, String... names) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> topics = new ArrayList<>();
            for (String name : names) {
                topics.add(new NewTopic(name, name.endsWith(".dlq") ? 1 : 6, (short) 1).configs(Map.of("retention.ms", "-1")));
            }
            Kafka.create(admin, topics); // returns once every partition has a leader
        }
    }

    /** Publishes a topic per ticker (id: the ticker in lower case) to topic.config, so texts tagged with the ticker land in its windows. */
    static void defineTopics(String bootstrap, Instant at, String... tickers) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new ByteArraySerializer())) {
            for (String ticker : tickers) {
                TopicDefinition topic = TopicDefinition.newBuilder().setId(ticker.toLowerCase()).setName(ticker).setTickers(List.of(ticker))
                        .setKeywords(List.of()).setUpdatedAt(at).build();
                producer.send(new ProducerRecord<>(Topics.TOPIC_CONFIG.name(), topic.getId(),
                        Topics.TOPIC_CONFIG.valueSerde().serializer().serialize(Topics.TOPIC_CONFIG.name(), topic))).get();
            }
        }
    }

    static RawText raw(String id, Instant at, String body, String ticker) {
        return RawText.newBuilder().setId(id).setSourceKind(SourceKind.ARCHIVE).setSource("it").setPublishedAt(at).setIngestedAt(at)
                .setBody(body).setTickers(List.of(ticker)).build();
    }

    /**
     * Texts keyed by id, timed at publication; each partition receives its texts shuffled (out of event-time order).
     * Every write is checked, so a lost text fails here rather than as a missing score minutes later.
     */
    static void produce(String bootstrap, String topic, List<RawText> texts) throws Exception {
        List<RawText> shuffled = new ArrayList<>(texts);
        Collections.shuffle(shuffled, new Random(11));
        List<Future<RecordMetadata>> writes = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (RawText t : shuffled) {
                writes.add(producer.send(new ProducerRecord<>(topic, null, t.getPublishedAt().toEpochMilli(), t.getId(),
                        Topics.RAW_TEXT.valueSerde().serializer().serialize(topic, t))));
            }
        }
        for (Future<RecordMetadata> write : writes) {
            write.get(); // done: the producer is closed
        }
    }

    /** Windows with one run id, so that two runs' windows compare field by field. */
    static List<TopicTrendWindow> withoutRun(List<TopicTrendWindow> windows) {
        return windows.stream().map(w -> TopicTrendWindow.newBuilder(w).setRunId("compared").build()).toList();
    }
}
