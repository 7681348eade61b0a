package io.finsent.bench.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.Test;

class ClassificationReportTest {

    private static LabelledText row(String label, String agreement) {
        return new LabelledText(2, "text", label, agreement);
    }

    @Test
    void metricsMatchAHandWorkedExample() {
        // gold:      neg neg neu neu neu pos
        // predicted: neg neu neu neu pos pos
        var rows = List.of(row("negative", "100"), row("negative", "50"), row("neutral", "100"), row("neutral", "100"),
                row("neutral", "50"), row("positive", "100"));
        var predicted = List.of("negative", "neutral", "neutral", "neutral", "positive", "positive");

        var report = ClassificationReport.of(rows, predicted);

        assertThat(report.n()).isEqualTo(6);
        assertThat(report.accuracy()).isCloseTo(4.0 / 6, within(1e-12));
        // negative: P=1, R=0.5, F1=2/3; neutral: P=2/3, R=2/3, F1=2/3; positive: P=0.5, R=1, F1=2/3
        assertThat(report.perClass().get("negative").recall()).isCloseTo(0.5, within(1e-12));
        assertThat(report.perClass().get("positive").precision()).isCloseTo(0.5, within(1e-12));
        assertThat(report.macroF1()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(report.confusion()[0]).containsExactly(1, 1, 0);
        assertThat(report.confusion()[1]).containsExactly(0, 2, 1);
        assertThat(report.perAgreement().get("100").accuracy()).isCloseTo(1.0, within(1e-12));
        assertThat(report.perAgreement().get("50").n()).isEqualTo(2);
        assertThat(report.perAgreement().get("50").accuracy()).isZero();
    }

    @Test
    void aClassNeverPredictedHasZeroPrecisionNotNaN() {
        var report = ClassificationReport.of(List.of(row("negative", null), row("positive", null)), List.of("positive", "positive"));

        assertThat(report.perClass().get("negative").precision()).isZero();
        assertThat(report.perClass().get("negative").f1()).isZero();
        assertThat(report.perAgreement()).isEmpty();
    }
}
