package io.finsent.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A long text is covered by overlapping full-length windows; only the per-text cap may skip tokens, and it says so. */
class LongTextWindowsTest {

    private final LongTextWindows windows = new LongTextWindows(128, 2, 0, 64);

    @Test
    void textThatFitsIsOneWindow() {
        assertThat(windows.plan(126).spans()).containsExactly(new LongTextWindows.Span(0, 126));
        assertThat(windows.plan(0).spans()).containsExactly(new LongTextWindows.Span(0, 0));
        assertThat(windows.plan(126).capped()).isFalse();
    }

    @Test
    void oneTokenMoreThanAWindowGivesTwoFullWindowsEndingAtTheLastToken() {
        LongTextWindows.Plan plan = windows.plan(127);

        assertThat(plan.spans()).containsExactly(new LongTextWindows.Span(0, 126), new LongTextWindows.Span(1, 127));
        assertThat(plan.capped()).isFalse();
    }

    @Test
    void defaultStrideOverlapsAQuarterAndEveryTokenIsCovered() {
        assertThat(windows.stride()).isEqualTo(126 - 31);
        for (int tokens : new int[] {127, 200, 1260, 5000}) {
            LongTextWindows.Plan plan = windows.plan(tokens);
            assertCovers(plan.spans(), tokens);
            assertThat(plan.spans()).allSatisfy(span -> assertThat(span.length()).isEqualTo(126));
        }
    }

    @Test
    void tenWindowsOfTextNeedCeilOfOverlappingWindows() {
        LongTextWindows.Plan plan = windows.plan(1260);

        assertThat(plan.spans()).hasSize(13); // starts 0, 95, ..., 1140, then 1134 is covered by a final window
        assertThat(plan.spans().get(plan.spans().size() - 1).end()).isEqualTo(1260);
    }

    @Test
    void capSpreadsWindowsOverTheWholeTextAndFlagsIt() {
        LongTextWindows capped = new LongTextWindows(128, 2, 0, 4);

        LongTextWindows.Plan plan = capped.plan(10_000);

        assertThat(plan.capped()).isTrue();
        assertThat(plan.tokens()).isEqualTo(10_000);
        assertThat(plan.spans()).hasSize(4);
        assertThat(plan.spans().get(0).start()).isZero();
        assertThat(plan.spans().get(3).end()).isEqualTo(10_000);
    }

    @Test
    void strideLongerThanAWindowIsRejected() {
        assertThatThrownBy(() -> new LongTextWindows(128, 2, 127, 64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("never be scored");
    }

    private static void assertCovers(List<LongTextWindows.Span> spans, int tokens) {
        boolean[] covered = new boolean[tokens];
        for (LongTextWindows.Span span : spans) {
            for (int t = span.start(); t < span.end(); t++) {
                covered[t] = true;
            }
        }
        for (int t = 0; t < tokens; t++) {
            assertThat(covered[t]).as("token %d covered", t).isTrue();
        }
    }
}
