package io.finsent.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.finsent.ingest.FieldError;

/** A refused batch lists at most 20 errors in all and counts the rest, so the answer stays small. */
class BatchRefusalTest {

    @Test
    void aThousandInvalidItemsListTwentyErrorsAndCountTheRest() {
        // Given 1,000 items with three errors each
        BatchRefusal refusal = new BatchRefusal();
        List<FieldError> three = Collections.nCopies(3, new FieldError("body", "no text"));
        for (int i = 0; i < 1000; i++) {
            refusal.add(i, three);
        }

        // When the answer is made
        ItemsResource.Refused answer = refusal.answer(1000);

        // Then the first seven items are listed (the seventh cut to two errors) and the rest counted
        assertThat(answer.items()).hasSize(7);
        assertThat(answer.items().stream().mapToInt(i -> i.errors().size()).sum()).isEqualTo(20);
        assertThat(answer.error()).isEqualTo("1000 of 1000 items are invalid; nothing was published; the first 20 errors are listed, 2980 more are not");
    }

    @Test
    void aFewErrorsAreAllListed() {
        BatchRefusal refusal = new BatchRefusal();
        refusal.add(1, List.of(new FieldError("source", "required")));

        assertThat(refusal.answer(2).error()).isEqualTo("1 of 2 items are invalid; nothing was published");
        assertThat(refusal.answer(2).items()).containsExactly(new ItemsResource.InvalidItem(1, List.of(new FieldError("source", "required"))));
    }
}
