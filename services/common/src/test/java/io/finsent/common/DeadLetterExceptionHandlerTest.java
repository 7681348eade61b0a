package io.finsent.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.DeserializationHandlerResponse;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler.ProcessingHandlerResponse;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import io.finsent.schema.DeadLetter;

class DeadLetterExceptionHandlerTest {

    private static final byte[] KEY = "item-7".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = {(byte) 0xC3, 0x01, 0x7F, 0x00, 0x42};
    private static final long TIME = Instant.parse("2015-06-01T09:00:00Z").toEpochMilli();

    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final DeadLetterExceptionHandler handler = new DeadLetterExceptionHandler(producer, "text.dlq", "scorer");

    @Test
    void aProcessingFailureBecomesADeadLetterWithTheOriginalBytesAndTheStreamGoesOn() {
        ProcessingHandlerResponse response = handler.handle(context(), new Record<>("item-7", "decoded", TIME),
                new IllegalStateException("encoder session closed"));

        assertThat(response).isEqualTo(ProcessingHandlerResponse.CONTINUE);
        DeadLetter letter = only();
        assertThat(letter.getStage()).isEqualTo("scorer.process");
        assertThat(letter.getReason()).contains("batching-scorer", "encoder session closed");
        assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(VALUE));
        assertThat(letter.getOriginalKey()).isEqualTo(ByteBuffer.wrap(KEY));
        assertThat(letter.getOriginalTopic()).isEqualTo("text.raw");
        assertThat(letter.getOriginalPartition()).isEqualTo(3);
        assertThat(letter.getOriginalOffset()).isEqualTo(1234L);
        assertThat(letter.getOccurredAt()).isEqualTo(Instant.ofEpochMilli(TIME));
    }

    @Test
    void aRecordThatCannotBeDeserialisedIsADeadLetterToo() {
        DeserializationHandlerResponse response = handler.handle(context(),
                new ConsumerRecord<>("text.raw", 3, 1234L, KEY, VALUE), new org.apache.kafka.common.errors.SerializationException("bad magic"));

        assertThat(response).isEqualTo(DeserializationHandlerResponse.CONTINUE);
        assertThat(only().getStage()).isEqualTo("scorer.deserialize");
    }

    @Test
    void whenTheDeadLetterCannotBeWrittenTheRecordIsNotSkipped() {
        producer.sendException = new KafkaException("broker away");

        assertThat(handler.handle(context(), new Record<>("item-7", "x", TIME), new RuntimeException("boom")))
                .isEqualTo(ProcessingHandlerResponse.FAIL);
        assertThat(producer.history()).isEmpty();
    }

    private DeadLetter only() {
        assertThat(producer.history()).hasSize(1);
        ProducerRecord<byte[], byte[]> sent = producer.history().get(0);
        assertThat(sent.topic()).isEqualTo("text.dlq");
        assertThat(sent.key()).isEqualTo(KEY);
        assertThat(sent.timestamp()).isEqualTo(TIME);
        return Topics.DEAD_LETTERS.valueSerde().deserializer().deserialize("text.dlq", sent.value());
    }

    private static ErrorHandlerContext context() {
        return new ErrorHandlerContext() {
            public String topic() { return "text.raw"; }
            public int partition() { return 3; }
            public long offset() { return 1234L; }
            public Headers headers() { return new RecordHeaders(); }
            public String processorNodeId() { return "batching-scorer"; }
            public TaskId taskId() { return new TaskId(0, 3); }
            public long timestamp() { return TIME; }
            public byte[] sourceRawKey() { return KEY; }
            public byte[] sourceRawValue() { return VALUE; }
        };
    }
}
