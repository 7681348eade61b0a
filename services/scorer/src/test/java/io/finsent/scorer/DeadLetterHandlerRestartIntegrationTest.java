package io.finsent.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.finsent.common.DeadLetterExceptionHandler;
import io.finsent.common.Topics;
import io.finsent.common.TopicCreation;
import io.finsent.local.LocalStack;
import io.finsent.local.testing.LocalStackExtension;
import io.finsent.schema.DeadLetter;

/**
 * Task restarts leak nothing: Kafka Streams makes new exception handlers for every task it creates, and each handler
 * once opened its own dead-letter producer that nothing closed (a backlog that fenced the scorer's thread every minute
 * left a new set of producer threads at each restart). Here a stream app's six tasks are made again and again, bad
 * records reach the handler each time, and the dead-letter producer threads are counted.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DeadLetterHandlerRestartIntegrationTest {

    private static final int PARTITIONS = 6;
    private static final int RESTARTS = 6;

    @TempDir
    Path stateDir;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String input = "handler-restart-" + run;
    private final String application = "handler-restart-" + run;
    private final String deadLetterTopic = "handler-restart-dlq-" + run;

    @Test
    void restartingTasksMakesNoNewDeadLetterProducersAndEveryBadRecordIsDeadLettered(LocalStack stack) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            TopicCreation.createAndAwait(admin, List.of(new NewTopic(input, PARTITIONS, (short) 1), new NewTopic(deadLetterTopic, 1, (short) 1)), Duration.ofSeconds(30));
        }
        StreamsBuilder builder = new StreamsBuilder();
        // Values must be 4-byte integers; anything else fails to deserialise and goes through the handler.
        builder.stream(input, Consumed.with(Serdes.String(), Serdes.Integer())).foreach((key, value) -> { });
        var topology = builder.build();
        Set<String> badKeys = new HashSet<>();
        for (int restart = 0; restart <= RESTARTS; restart++) {
            // When the app's tasks are made again (a new instance of the app each time, as after a crash or a fencing)
            // and bad records reach them
            try (KafkaStreams streams = new KafkaStreams(topology, config(stack))) {
                streams.start();
                await(() -> streams.state() == KafkaStreams.State.RUNNING, "the app runs (start " + restart + ")");
                badKeys.addAll(produceBad(stack, restart));
                awaitDeadLetters(stack, badKeys);
                streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30)));
            }
        }

        // Then every bad record is a dead letter, and one producer wrote them all
        assertThat(deadLetterProducerThreads()).as("dead-letter producer threads after %d restarts of %d tasks", RESTARTS, PARTITIONS)
                .isEqualTo(1);
    }

    private Properties config(LocalStack stack) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, application);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterExceptionHandler.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterExceptionHandler.class.getName());
        props.put(DeadLetterExceptionHandler.TOPIC_CONFIG, deadLetterTopic);
        props.put(DeadLetterExceptionHandler.STAGE_CONFIG, "test");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // A closed instance's member is dropped after this, so the next one gets every task at once.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1500);
        return props;
    }

    private Set<String> produceBad(LocalStack stack, int round) throws Exception {
        Set<String> keys = new HashSet<>();
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 2 * PARTITIONS; i++) {
                String key = "bad-" + round + "-" + i;
                keys.add(key);
                producer.send(new ProducerRecord<>(input, key, ("not an integer " + i).getBytes())).get();
            }
        }
        return keys;
    }

    private void awaitDeadLetters(LocalStack stack, Set<String> expected) throws InterruptedException {
        Set<String> seen = new HashSet<>();
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "handler-restart-check-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(config, Topics.DEAD_LETTERS.keySerde().deserializer(), Topics.DEAD_LETTERS.valueSerde().deserializer())) {
            consumer.subscribe(List.of(deadLetterTopic));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (!seen.containsAll(expected) && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    DeadLetter letter = record.value();
                    assertThat(letter.getStage()).isEqualTo("test.deserialize");
                    assertThat(letter.getReason()).contains("cannot deserialise");
                    seen.add(record.key());
                }
            }
        }
        assertThat(seen).as("dead letters of the bad records").containsAll(expected);
    }

    private long deadLetterProducerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("kafka-producer-network-thread") && t.getName().contains(application + "-dead-letters")).count();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(100);
        }
    }
}
