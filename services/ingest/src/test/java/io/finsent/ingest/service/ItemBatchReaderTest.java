package io.finsent.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;

import org.junit.jupiter.api.Test;

import io.finsent.ingest.FieldError;
import io.finsent.service.api.ApiProblem;

/** A push body's shape is checked while it is read: batch size, array and object sizes, depth, then the trees. */
class ItemBatchReaderTest {

    private final ItemBatchReader reader = new ItemBatchReader(3, 4);

    @Test
    void anObjectOrAnArrayOfThemBecomesItems() {
        assertThat(reader.read("{\"a\": 1}").items()).hasSize(1);
        ItemBatchReader.Batch batch = reader.read("[{\"a\": [1, 2, 3, 4]}, {\"b\": {\"c\": \"d\"}}, 7]");

        assertThat(batch.size()).isEqualTo(3);
        assertThat(batch.items()).hasSize(3);
        assertThat(batch.misshapen()).isEmpty();
    }

    @Test
    void anArrayPastTheLimitIsOneErrorWithItsFullCountAndNoTreeIsBuilt() {
        // Given a batch whose second item has 100,000 tickers
        String body = "[{\"tickers\": []}, {\"source\": \"s\", \"tickers\": [" + "1,".repeat(99_999) + "1]}]";

        // When it is read
        ItemBatchReader.Batch batch = reader.read(body);

        // Then that item is refused for the array alone, and nothing is built
        assertThat(batch.items()).isEmpty();
        assertThat(batch.misshapen()).singleElement().satisfies(i -> {
            assertThat(i.index()).isEqualTo(1);
            assertThat(i.errors()).containsExactly(new FieldError("tickers", "100000 values, more than the limit of 4"));
        });
    }

    @Test
    void nestedContainersAreNamedAsFields() {
        assertThat(reader.read("{\"meta\": {\"list\": [1, [1, 2, 3, 4, 5]]}}").misshapen().get(0).errors().get(0).field()).isEqualTo("meta.list[1]");
        assertThat(reader.read("[{\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4, \"e\": 5}]").misshapen().get(0).errors().get(0))
                .isEqualTo(new FieldError("item", "5 fields, more than the limit of 4"));
    }

    @Test
    void tooManyItemsIs413WithTheirCount() {
        String many = "[" + String.join(",", Collections.nCopies(500, "{}")) + "]";

        assertThatThrownBy(() -> reader.read(many)).isInstanceOfSatisfying(ApiProblem.class,
                p -> assertThat(p.status().getStatusCode()).isEqualTo(413)).hasMessageContaining("a batch of 500 items, more than the limit of 3");
    }

    @Test
    void depthNamesAndNumbersAreBounded() {
        assertThatThrownBy(() -> reader.read("[" + "{\"a\": ".repeat(20) + "1" + "}".repeat(20) + "]"))
                .hasMessageContaining("JSON nesting depth over 16 at /0/a/a/a");
        assertThatThrownBy(() -> reader.read("[".repeat(3000) + "]".repeat(3000))).hasMessageContaining("nesting depth");
        assertThatThrownBy(() -> reader.read("{\"id\": " + "9".repeat(40) + "}")).hasMessageContaining("exceeds a limit").hasMessageContaining("/id");
        assertThatThrownBy(() -> reader.read("{\"" + "n".repeat(300) + "\": 1}")).hasMessageContaining("exceeds a limit");
    }

    @Test
    void emptyTrailingAndDuplicateBodiesAreNotItems() {
        assertThatThrownBy(() -> reader.read("  ")).hasMessageContaining("empty body");
        assertThatThrownBy(() -> reader.read("[]")).hasMessageContaining("empty batch");
        assertThatThrownBy(() -> reader.read("{} {}")).hasMessageContaining("not valid JSON").hasMessageContaining("more data");
        assertThatThrownBy(() -> reader.read("{\"a\": 1, \"a\": 2}")).hasMessageContaining("Duplicate field 'a'");
        assertThatThrownBy(() -> reader.read("[{\"a\": ")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> reader.read("{\"a\": \"x\u0000\"}")).hasMessageContaining("not valid JSON at /a");
    }
}
