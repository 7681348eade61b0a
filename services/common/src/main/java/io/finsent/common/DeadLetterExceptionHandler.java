package io.finsent.common;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

import io.finsent.schema.DeadLetter;

/**
 * Kafka Streams' last line (KIP-1033): a record that a topology's own checks did not catch, and that failed to
 * deserialise or threw while being processed, goes to the dead-letter topic with its original bytes, where it
 * was read, the processor and the exception, and the stream thread goes on. The topologies decode and validate
 * inside themselves, so their dead letters commit in the same transaction as everything else; this handler
 * writes with its own producer, outside that transaction: after a crash a record may be dead-lettered twice,
 * never lost. If the dead letter cannot be written, the handler answers FAIL and the record is not skipped.
 *
 * <p>Kafka Streams makes two handlers for every task it creates (one per kind) and has no hook to close them, so a
 * producer per handler leaked a producer and its network thread at every task restart. The handlers of one
 * application therefore share one producer (per client settings), made on the first dead letter and kept for the
 * life of the JVM: task restarts make none.
 *
 * <p>Configuration (in the Streams properties): {@code finsent.dead-letter.topic} (default {@code text.dlq}),
 * {@code finsent.dead-letter.stage} (prefix of the stage, e.g. {@code scorer}).
 */
public class DeadLetterExceptionHandler implements ProcessingExceptionHandler, DeserializationExceptionHandler {

    public static final String TOPIC_CONFIG = "finsent.dead-letter.topic";
    public static final String STAGE_CONFIG = "finsent.dead-letter.stage";

    private static final Logger LOG = Logger.getLogger(DeadLetterExceptionHandler.class);

    /** One producer per distinct producer configuration (application id, bootstrap servers, security settings). */
    private static final Map<Map<String, Object>, Producer<byte[], byte[]>> SHARED = new ConcurrentHashMap<>();

    private Producer<byte[], byte[]> producer;
    private Map<String, Object> producerConfig;
    private String topic = Topics.DEAD_LETTERS.name();
    private String stage = "streams";

    public DeadLetterExceptionHandler() {
    }

    /** For tests: writes through {@code producer}. */
    DeadLetterExceptionHandler(Producer<byte[], byte[]> producer, String topic, String stage) {
        this.producer = producer;
        this.topic = topic;
        this.stage = stage;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object configuredTopic = configs.get(TOPIC_CONFIG);
        Object configuredStage = configs.get(STAGE_CONFIG);
        topic = configuredTopic == null ? topic : configuredTopic.toString();
        stage = configuredStage == null ? stage : configuredStage.toString();
        if (producer == null) {
            Map<String, Object> props = new HashMap<>();
            configs.forEach((key, value) -> {
                if (key.startsWith("security.") || key.startsWith("sasl.") || key.startsWith("ssl.")) {
                    props.put(key, value);
                }
            });
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, configs.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, configs.get(StreamsConfig.APPLICATION_ID_CONFIG) + "-dead-letters");
            producerConfig = Map.copyOf(props);
        }
    }

    /** Producers made by handlers in this JVM (for tests that restart tasks and count them). */
    static int sharedProducers() {
        return SHARED.size();
    }

    private Producer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = SHARED.computeIfAbsent(producerConfig, config -> new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()));
        }
        return producer;
    }

    @Override
    public ProcessingHandlerResponse handle(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        String reason = "processor " + context.processorNodeId() + " threw " + exception;
        return write(context, stage + ".process", reason) ? ProcessingHandlerResponse.CONTINUE : ProcessingHandlerResponse.FAIL;
    }

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        return write(context, stage + ".deserialize", "cannot deserialise: " + exception) ? DeserializationHandlerResponse.CONTINUE
                : DeserializationHandlerResponse.FAIL;
    }

    private boolean write(ErrorHandlerContext context, String letterStage, String reason) {
        byte[] key = context.sourceRawKey();
        DeadLetter letter = DeadLetters.of(letterStage, reason, key == null ? null : new String(key, StandardCharsets.UTF_8),
                context.sourceRawValue(), context.topic(), context.partition(), context.offset(), context.timestamp());
        byte[] value = Topics.DEAD_LETTERS.valueSerde().serializer().serialize(topic, letter);
        try {
            producer().send(new ProducerRecord<>(topic, null, context.timestamp(), key, value)).get(30, TimeUnit.SECONDS);
            LOG.warnf("%s: record %s-%d@%d to %s: %s", letterStage, context.topic(), context.partition(), context.offset(), topic, reason);
            return true;
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            LOG.errorf("cannot write the dead letter of %s-%d@%d to %s (%s): stopping rather than losing it", context.topic(),
                    context.partition(), context.offset(), topic, e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
