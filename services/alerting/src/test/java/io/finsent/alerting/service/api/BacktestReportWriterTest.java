package io.finsent.alerting.service.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.alerting.backtest.Backtest;
import io.finsent.alerting.backtest.BacktestReport;
import io.finsent.alerting.backtest.BacktestReportWriter;
import io.finsent.alerting.backtest.BacktestRuleSets;
import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.trends.TrendPoint;

/**
 * The API answers with the text {@code ./monitor backtest} prints: its {@code --json} line (a plain ObjectMapper over
 * the report) and its {@code --csv} rows, here written the way BacktestCommand writes them; and both accept the same rule sets.
 */
class BacktestReportWriterTest {

    private static final long MINUTE = 60_000;

    private static BacktestReport report(Map<String, RuleParams> sets) {
        List<TrendPoint> windows = new ArrayList<>();
        for (int m = 0; m < 20; m++) {
            boolean surge = m >= 12 && m < 15;
            windows.add(new TrendPoint("acme", m * MINUTE, MINUTE, surge ? 150 : 20, surge ? 120 : 4, surge ? 20 : 10, surge ? 10 : 6,
                    surge ? -0.6 : 0.1, 0.5));
        }
        return Backtest.run("r1", windows, sets);
    }

    @Test
    void theJsonAndCsvAreThoseOfTheCommand() throws Exception {
        BacktestReport report = report(new BacktestRuleSets().add("strict", RuleParams.fromJson("{\"negativeShareSigmas\": 20}")).byName());

        assertThat(BacktestReportWriter.json(report)).isEqualTo(new ObjectMapper().writeValueAsString(report));
        StringWriter cli = new StringWriter();
        PrintWriter out = new PrintWriter(cli);
        out.println("rule_set,rule_set_id,topic,rule,windows,fired");
        for (BacktestReport.Row row : report.rows()) {
            out.printf(Locale.ROOT, "%s,%s,%s,%s,%d,%d%n", row.ruleSet(), row.ruleSetId(), row.topic(), row.rule(), row.windows(), row.fired());
        }
        out.flush();
        assertThat(BacktestReportWriter.csv(report)).isEqualTo(cli.toString().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void aRuleSetNameWithACommaOrQuoteIsQuotedInCsv() {
        BacktestReport report = report(new BacktestRuleSets().add("a,\"b\"", RuleParams.defaults()).byName());

        assertThat(BacktestReportWriter.csv(report)).contains("\n\"a,\"\"b\"\"\",default,acme,NEGATIVE_SHARE,20,1\n");
    }

    @Test
    void theDefaultsAreAlwaysIncludedAndCannotBeNamedAgain() throws Exception {
        assertThat(new BacktestRuleSets().byName()).containsOnlyKeys("default");
        assertThatThrownBy(() -> new BacktestRuleSets().add("default", RuleParams.defaults())).hasMessageContaining("'default' is always included");
        assertThatThrownBy(() -> new BacktestRuleSets().addAll(new ObjectMapper().readTree("{\"x\": {\"pendingWindows\": -1}}")))
                .hasMessage("rule set 'x': rule parameter pendingWindows must be between 0 and 10000, was -1");
        assertThatThrownBy(() -> new BacktestRuleSets().addAll(new ObjectMapper().readTree("[]"))).hasMessageContaining("JSON object");
    }
}
