package io.finsent.bench.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

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
        publish(bootstrap, tickers.stream().map(ticker -> TopicDefinition.newBuilder().setId(ticker.toLowerCase(Locale.ROOT)).setName(ticker)
                .setTickers(List.of(ticker)).setKeywords(List.of()).setUpdatedAt(Instant.EPOCH).build()).toList());
        return tickers.size();
    }

    /** Publishes topic definitions to topic.config, all acknowledged on return. */
    static void publish(String bootstrap, List<TopicDefinition> topics) throws InterruptedException {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new ByteArraySerializer())) {
            List<Future<?>> sent = new ArrayList<>();
            for (TopicDefinition topic : topics) {
                sent.add(producer.send(new ProducerRecord<>(Topics.TOPIC_CONFIG.name(), topic.getId(),
                        Topics.TOPIC_CONFIG.valueSerde().serializer().serialize(Topics.TOPIC_CONFIG.name(), topic))));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish the topics to " + Topics.TOPIC_CONFIG.name() + ": " + e.getCause(), e.getCause());
        }
    }

    /** Companies a financial stream names often: the first topics of {@link #watchlist}, ticker and name. */
    private static final String[][] COMPANIES = {
        {"AAPL", "Apple"}, {"MSFT", "Microsoft"}, {"AMZN", "Amazon"}, {"GOOG", "Google"}, {"FB", "Facebook"}, {"TSLA", "Tesla"},
        {"NFLX", "Netflix"}, {"BAC", "Bank of America"}, {"JPM", "JPMorgan"}, {"GS", "Goldman Sachs"}, {"XOM", "Exxon"},
        {"WMT", "Walmart"}, {"INTC", "Intel"}, {"BABA", "Alibaba"}, {"BA", "Boeing"}, {"GE", "General Electric"}, {"C", "Citigroup"},
        {"KO", "Coca-Cola"}, {"DIS", "Disney"}, {"NVDA", "Nvidia"},
    };

    /**
     * A watchlist of {@code n} topics as a desk would keep one: the companies above first (ticker, name as alias), then
     * synthetic companies, each with a ticker of letters and three aliases ("Name N", "Name N Corp", "Name N Holdings");
     * the same list for the same n, each a prefix of the longer ones.
     */
    static List<TopicDefinition> watchlist(int n) {
        List<TopicDefinition> topics = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String ticker;
            List<String> aliases;
            if (i < COMPANIES.length) {
                ticker = COMPANIES[i][0];
                aliases = List.of(COMPANIES[i][1], COMPANIES[i][1] + " Inc", COMPANIES[i][1] + " shares");
            } else {
                ticker = letters(i);
                String name = "Synthetica " + i;
                aliases = List.of(name, name + " Corp", name + " Holdings");
            }
            topics.add(TopicDefinition.newBuilder().setId("w-" + ticker.toLowerCase(Locale.ROOT)).setName(aliases.get(0)).setTickers(List.of(ticker))
                    .setKeywords(List.of()).setAliases(aliases).setUpdatedAt(Instant.EPOCH).build());
        }
        return topics;
    }

    /** A ticker of letters only ("ZAAAA", "ZAAAB", ...), unlike any listed one. */
    private static String letters(int i) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < 4; k++) {
            s.append((char) ('A' + i % 26));
            i /= 26;
        }
        return "Z" + s.reverse();
    }
}
