package io.finsent.common;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro values in Avro's single-object encoding: a two-byte marker, the writer schema's fingerprint,
 * then the binary record. Readers resolve records written with any schema they were given (the
 * current one and every released one), so topics stay readable across compatible schema changes
 * without a schema registry.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    public AvroSerde(Class<T> type, Schema current, Iterable<Schema> earlierVersions) {
        this.type = type;
        SpecificData model = modelOf(type);
        this.encoder = new BinaryMessageEncoder<>(model, current);
        this.decoder = new BinaryMessageDecoder<>(model, current);
        for (Schema earlier : earlierVersions) {
            decoder.addSchema(earlier);
        }
    }

    /**
     * The generated class's model (its logical-type conversions), but resolving record classes with the class
     * loader of {@code type}: the generated model uses Avro's own loader, which in a Quarkus test is not the one
     * that loaded the application's record classes, so decoded records could not be cast.
     */
    private static SpecificData modelOf(Class<?> type) {
        SpecificData model = new SpecificData(type.getClassLoader());
        SpecificData.getForClass(type).getConversions().forEach(model::addLogicalTypeConversion);
        return model;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, record) -> {
            if (record == null) {
                return null;
            }
            try {
                ByteBuffer buffer = encoder.encode(record);
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return bytes;
            } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException e) {
                throw new SerializationException("cannot write " + type.getSimpleName() + " to " + topic + ": " + e.getMessage(), e);
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return decoder.decode(bytes);
            } catch (BadHeaderException e) {
                throw new SerializationException("not an Avro single-object record (" + bytes.length + " bytes) in " + topic
                        + ": " + e.getMessage(), e);
            } catch (MissingSchemaException e) {
                throw new SerializationException("record in " + topic + " was written with a schema this reader does not know"
                        + " (not a " + type.getSimpleName() + ", or a newer incompatible version): " + e.getMessage(), e);
            } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
                throw new SerializationException("corrupt " + type.getSimpleName() + " record in " + topic + ": " + e, e);
            }
        };
    }
}
