package io.finsent.alerting.service.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.finsent.alerting.rules.AlertTransition;
import io.finsent.alerting.rules.RuleKind;
import io.finsent.alerting.service.Severities;
import io.finsent.schema.AlertState;
import io.finsent.schema.Severity;

/** Idempotency keys name the alert, the change, the subscription and the repeat; severities order as INFO < WARNING < CRITICAL. */
class AlertNotifierTest {

    private static AlertTransition firing() {
        return new AlertTransition("a1", "live", "default", RuleKind.NEGATIVE_SHARE, "acme", Severity.WARNING, AlertState.FIRING,
                0, 60_000, 0.8, 0.1, 0.3, "negative share 80 %", 60_000);
    }

    @Test
    void idempotencyKeys() {
        assertThat(AlertNotifier.idempotencyKey(firing(), 7, 0)).isEqualTo("a1:FIRING:7");
        assertThat(AlertNotifier.idempotencyKey(firing(), 7, 2)).isEqualTo("a1:FIRING:7:repeat2");
    }

    @Test
    void aSubscriptionReceivesAlertsAtOrAboveItsMinimumSeverity() {
        assertThat(Severities.atOrBelow(Severity.INFO)).containsExactly("INFO");
        assertThat(Severities.atOrBelow(Severity.CRITICAL)).containsExactly("INFO", "WARNING", "CRITICAL");
        assertThat(Severities.parse(" critical ")).isEqualTo(Severity.CRITICAL);
    }
}
