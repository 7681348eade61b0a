package io.finsent.encoder;

import java.util.List;

/** Results of one {@link Encoder#encodeAll} call, in input order, with what it cost. */
public record EncodedBatch(List<EncoderResult> results, EncodeStats stats) {

    public EncodedBatch {
        results = List.copyOf(results);
    }
}
