package io.finsent.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** A list of field errors keeps at most five per field, the elements of one array counting as one field. */
class FieldErrorsTest {

    @Test
    void theFirstFiveOfEachFieldAreKeptAndTheRestCounted() {
        // Given seven errors on the tickers' elements and one on the body
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            errors.add(new FieldError("tickers[" + i + "]", "bad"));
        }
        errors.add(new FieldError("body", "no text"));

        // When they are bounded
        List<FieldError> bounded = FieldErrors.bounded(errors);

        // Then five tickers, the body, and the count of the rest
        assertThat(bounded).extracting(FieldError::field)
                .containsExactly("tickers[0]", "tickers[1]", "tickers[2]", "tickers[3]", "tickers[4]", "body", "tickers");
        assertThat(bounded.get(6).message()).isEqualTo("2 more errors");
    }

    @Test
    void aShortListIsLeftAsItIs() {
        List<FieldError> errors = List.of(new FieldError("source", "required"), new FieldError("published_at", "required"));

        assertThat(FieldErrors.bounded(errors)).isSameAs(errors);
    }
}
