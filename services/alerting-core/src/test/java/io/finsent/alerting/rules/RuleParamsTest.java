package io.finsent.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

/** Rule parameters in JSON: partial overrides over the defaults, a canonical form, and errors that name the field. */
class RuleParamsTest {

    @Test
    void theDefaultsAreTheDefaultRuleSet() {
        assertThat(RuleParams.defaults().id()).isEqualTo("default");
        assertThat(RuleParams.fromJson("{}")).isEqualTo(RuleParams.defaults());
        assertThat(RuleParams.fromJson("{\"negativeShareSigmas\": 4}").id()).as("an override equal to the default").isEqualTo("default");
    }

    @Test
    void aPartialOverrideKeepsTheOtherDefaultsAndGetsAStableId() {
        RuleParams strict = RuleParams.fromJson("{\"negativeShareSigmas\": 5.5, \"pendingWindows\": 3}");

        assertThat(strict.negativeShareSigmas()).isEqualTo(5.5);
        assertThat(strict.pendingWindows()).isEqualTo(3);
        assertThat(strict.baselineWindows()).isEqualTo(RuleParams.defaults().baselineWindows());
        assertThat(strict.id()).matches("rs-[0-9a-f]{12}")
                .isEqualTo(RuleParams.fromJson("{\"pendingWindows\": 3.0, \"negativeShareSigmas\": 5.5}").id())
                .isNotEqualTo(RuleParams.fromJson("{\"pendingWindows\": 2, \"negativeShareSigmas\": 5.5}").id());
    }

    @Test
    void theJsonIsCanonicalAndRoundTrips() {
        RuleParams params = RuleParams.fromJson("{\"scoreDrop\": 0.25, \"baselineWindows\": 60, \"volumeMinCount\": 50}");
        String json = params.toJson();

        assertThat(json).startsWith("{\"baselineWindows\":60,\"minBaselineWindows\":8,").contains("\"scoreDrop\":0.25");
        assertThat(RuleParams.fromJson(json)).isEqualTo(params);
        assertThat(RuleParams.fromJson(json).toJson()).isEqualTo(json);
        assertThat(RuleParams.names()).hasSize(12).startsWith("baselineWindows");
    }

    @Test
    void unknownFieldsAndBadValuesAreRejectedWithTheFieldNamed() {
        assertThatIllegalArgumentException().isThrownBy(() -> RuleParams.fromJson("{\"sigmas\": 3}"))
                .withMessageContaining("unknown rule parameter 'sigmas'").withMessageContaining("negativeShareSigmas");
        assertThatIllegalArgumentException().isThrownBy(() -> RuleParams.fromJson("{\"scoreDrop\": \"high\"}"))
                .withMessageContaining("scoreDrop must be a number");
        assertThatIllegalArgumentException().isThrownBy(() -> RuleParams.fromJson("{\"pendingWindows\": 1.5}"))
                .withMessageContaining("pendingWindows must be a whole number");
        assertThatIllegalArgumentException().isThrownBy(() -> RuleParams.fromJson("{\"minVolume\": null}"))
                .withMessageContaining("minVolume");
        assertThatIllegalArgumentException().isThrownBy(() -> RuleParams.fromJson("{\"baselineWindows\": 5}"))
                .withMessageContaining("minBaselineWindows must be between 1 and baselineWindows (5), was 8");
        assertThatIllegalArgumentException().isThrownBy(() -> RuleParams.fromJson("{\"volumeFactor\": 0.5}"))
                .withMessageContaining("volumeFactor must be above 1");
        assertThatIllegalArgumentException().isThrownBy(() -> RuleParams.fromJson("{\"criticalRatio\": 1.2}"))
                .withMessageContaining("criticalRatio must be at least warningRatio");
        assertThatIllegalArgumentException().isThrownBy(() -> RuleParams.fromJson("{\"baselineWindows\": 99999999999}"))
                .withMessageContaining("baselineWindows is out of range");
        assertThatIllegalArgumentException().isThrownBy(() -> RuleParams.fromJson("[1, 2]")).withMessageContaining("JSON object");
        assertThatIllegalArgumentException().isThrownBy(() -> RuleParams.fromJson("{\"minVolume\": ")).withMessageContaining("not valid JSON");
    }
}
