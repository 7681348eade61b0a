package io.finsent.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import io.finsent.schema.DeadLetter;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;
import io.finsent.schemas.TopicCatalogue;

class TopicsTest {

    private static RawText rawText() {
        return RawText.newBuilder().setId("demo-1").setSourceKind(SourceKind.DEMO).setSource("demo")
                .setPublishedAt(Instant.parse("2015-03-02T10:00:00Z")).setIngestedAt(Instant.parse("2015-03-02T10:00:01Z"))
                .setBody("Acme beats estimates").setTickers(List.of("ACME")).build();
    }

    @Test
    void everyCatalogueTopicIsPairedWithSerdesAndNoOther() {
        assertThat(Topics.ALL).extracting(Topics.Topic::name)
                .containsExactlyInAnyOrderElementsOf(TopicCatalogue.load().topics().stream().map(TopicCatalogue.TopicSpec::name).toList());
        assertThat(Topics.ALL).allSatisfy(topic ->
                assertThat(topic.valueType().getSimpleName()).isEqualTo(TopicCatalogue.load().topic(topic.name()).value()));
    }

    @Test
    void aRecordSurvivesTheRoundTrip() {
        var serde = Topics.RAW_TEXT.valueSerde();
        byte[] bytes = serde.serializer().serialize("text.raw", rawText());

        assertThat(serde.deserializer().deserialize("text.raw", bytes)).isEqualTo(rawText());
    }

    @Test
    void garbageIsASerializationExceptionThatSaysWhatIsWrong() {
        var deserializer = Topics.RAW_TEXT.valueSerde().deserializer();

        assertThatThrownBy(() -> deserializer.deserialize("text.raw", "{\"id\": 1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("not an Avro single-object record");
        assertThatThrownBy(() -> deserializer.deserialize("text.raw", new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("does not know");
    }

    @Test
    void aRecordOfAnotherTypeIsRefused() {
        DeadLetter dead = DeadLetter.newBuilder().setStage("test").setReason("r").setOccurredAt(Instant.EPOCH).build();
        byte[] bytes = Topics.DEAD_LETTERS.valueSerde().serializer().serialize("text.dlq", dead);

        assertThatThrownBy(() -> Topics.RAW_TEXT.valueSerde().deserializer().deserialize("text.raw", bytes))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void aTruncatedRecordIsRefused() {
        byte[] bytes = Topics.RAW_TEXT.valueSerde().serializer().serialize("text.raw", rawText());
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 5);

        assertThatThrownBy(() -> Topics.RAW_TEXT.valueSerde().deserializer().deserialize("text.raw", truncated))
                .isInstanceOf(SerializationException.class);
    }
}
