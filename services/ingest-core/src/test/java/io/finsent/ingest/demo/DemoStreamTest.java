package io.finsent.ingest.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.finsent.ingest.ItemValidation;
import io.finsent.schema.RawText;

class DemoStreamTest {

    private static final Instant START = Instant.parse("2026-01-01T09:00:00Z");

    private static List<DemoStream.DemoItem> take(long seed, Duration span) {
        DemoStream stream = new DemoStream(seed, START, DemoStream.Script.defaults());
        List<DemoStream.DemoItem> items = new ArrayList<>();
        while (stream.peekTime().isBefore(START.plus(span))) {
            items.add(stream.next());
        }
        return items;
    }

    @Test
    void theSameSeedGivesTheSameItemsAtTheSameTimes() {
        List<DemoStream.DemoItem> a = take(7, Duration.ofMinutes(30));
        List<DemoStream.DemoItem> b = take(7, Duration.ofMinutes(30));
        List<DemoStream.DemoItem> c = take(8, Duration.ofMinutes(30));

        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void nextSurgeCountsCyclesFromTheStart() {
        DemoStream stream = new DemoStream(1, START, DemoStream.Script.defaults()); // minutes 5 to 8 of every 15
        assertThat(stream.nextSurge(START)).isEqualTo(START.plus(Duration.ofMinutes(5)));
        assertThat(stream.nextSurge(START.plus(Duration.ofMinutes(5)))).isEqualTo(START.plus(Duration.ofMinutes(5)));
        assertThat(stream.nextSurge(START.plus(Duration.ofSeconds(5 * 60 + 1)))).isEqualTo(START.plus(Duration.ofMinutes(20)));
        assertThat(stream.nextSurge(START.plus(Duration.ofMinutes(52)))).isEqualTo(START.plus(Duration.ofMinutes(65)));
        assertThat(stream.inSurge(stream.nextSurge(START.plus(Duration.ofMinutes(31))))).isTrue();
    }

    @Test
    void theSurgeTickerTurnsNegativeInItsWindowWhileTheRestStaysCalm() {
        List<DemoStream.DemoItem> items = take(42, Duration.ofMinutes(15));
        List<DemoStream.DemoItem> surge = items.stream().filter(DemoStream.DemoItem::surge).toList();
        List<DemoStream.DemoItem> calm = items.stream().filter(i -> !i.surge()).toList();

        // About 30 a minute in calm times, with BA's extra items in minutes 5 to 8.
        assertThat(items.size()).isBetween(450, 650);
        assertThat(surge.size()).isBetween(70, 140);
        assertThat(surge).allMatch(i -> i.item().publishedAt().compareTo(START.plus(Duration.ofMinutes(5))) >= 0
                && i.item().publishedAt().isBefore(START.plus(Duration.ofMinutes(8))));
        assertThat(negativeShare(surge)).isGreaterThan(0.7);
        assertThat(negativeShare(calm)).isLessThan(0.25);
        Set<String> tickers = new HashSet<>();
        calm.forEach(i -> tickers.addAll(i.item().tickers().isEmpty() ? List.of(i.item().body().substring(1, i.item().body().indexOf(' ')))
                : i.item().tickers()));
        assertThat(tickers).hasSizeGreaterThanOrEqualTo(19);
    }

    @Test
    void everyDemoItemIsValidAndSaysItIsSynthetic() {
        Clock clock = Clock.fixed(START.plus(Duration.ofHours(1)), ZoneOffset.UTC);
        ItemValidation validation = new ItemValidation(ItemValidation.Rules.defaults(clock));
        for (DemoStream.DemoItem demo : take(3, Duration.ofMinutes(20))) {
            ItemValidation.Result result = validation.check(demo.item());
            assertThat(result).as(demo.toString()).isInstanceOf(ItemValidation.Valid.class);
            RawText item = ((ItemValidation.Valid) result).item();
            assertThat(item.getSource()).isEqualTo("demo");
            assertThat(item.getAuthor()).isEqualTo("demo generator");
            assertThat(item.getTickers()).isNotEmpty();
            assertThat(item.getBody()).doesNotContain("%s", "%d", "%%");
        }
    }

    @Test
    void aSurgeOutsideTheCycleOrOnAnUnknownTickerIsRefused() {
        assertThatThrownBy(() -> new DemoStream.Script("ZZZZ", Duration.ofMinutes(15), Duration.ofMinutes(5), Duration.ofMinutes(3), 30, 1))
                .hasMessageContaining("not one of the demo's");
        assertThatThrownBy(() -> new DemoStream.Script("BA", Duration.ofMinutes(15), Duration.ofMinutes(14), Duration.ofMinutes(3), 30, 1))
                .hasMessageContaining("must fit in the cycle");
    }

    private static double negativeShare(List<DemoStream.DemoItem> items) {
        return items.stream().filter(i -> i.tone() == DemoStream.Tone.NEGATIVE).count() / (double) items.size();
    }
}
