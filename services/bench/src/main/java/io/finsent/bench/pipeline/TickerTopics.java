package io.finsent.bench.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.finsent.common.Topics;
import io.finsent.schema.TopicDefinition;

/** For the benchmarks on archive files: one topic per ticker of a JSONL file (id: the ticker in lower case), published to topic.config. */
final class TickerTopics {

    private TickerTopics() {
    }

    /** Publishes a topic for each ticker found in {@code file}'s {@code tickers} fields; @return how many. */
    static int define(String bootstrap, Path file) throws IOException, InterruptedException {
        ObjectMapper mapper = new ObjectMapper();
        TreeSet<String> tickers = new TreeSet<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                mapper.readTree(line).path("tickers").forEach(t -> tickers.add(t.asText()));
            }
        }
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new ByteArraySerializer())) {
            for (String ticker : tickers) {
                TopicDefinition topic = TopicDefinition.newBuilder().setId(ticker.toLowerCase(Locale.ROOT)).setName(ticker).setTickers(List.of(ticker))
                        .setKeywords(List.of()).setUpdatedAt(Instant.EPOCH).build();
                producer.send(new ProducerRecord<>(Topics.TOPIC_CONFIG.name(), topic.getId(),
                        Topics.TOPIC_CONFIG.valueSerde().serializer().serialize(Topics.TOPIC_CONFIG.name(), topic))).get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish the ticker topics to " + Topics.TOPIC_CONFIG.name() + ": " + e.getCause(), e.getCause());
        }
        return tickers.size();
    }
}
