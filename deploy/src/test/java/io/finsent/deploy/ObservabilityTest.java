package io.finsent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Every series the alerting rules and the dashboard read is one the services export (derived from the meters
 * their code registers) or one of the few documented external ones; Prometheus scrapes our services where they
 * serve metrics; the dashboard has the panels the operators need.
 */
class ObservabilityTest {

    private static final JsonNode RULES = Yaml.read(Yaml.OBSERVABILITY.resolve("prometheus/rules.yml"));
    private static final JsonNode DASHBOARD = Yaml.read(Yaml.OBSERVABILITY.resolve("grafana/finsent-dashboard.json"));

    private static List<String> ruleExpressions() {
        List<String> expressions = new ArrayList<>();
        RULES.path("groups").forEach(g -> g.path("rules").forEach(r -> expressions.add(r.path("expr").asText())));
        return expressions;
    }

    private static List<String> dashboardExpressions() {
        List<String> expressions = new ArrayList<>();
        DASHBOARD.path("panels").forEach(p -> p.path("targets").forEach(t -> expressions.add(t.path("expr").asText())));
        return expressions;
    }

    private static Set<String> unknownMetrics(List<String> expressions) {
        Set<String> exported = ExportedMetrics.ofServices();
        Set<String> unknown = new TreeSet<>();
        expressions.forEach(e -> PromQl.metricNames(e).stream()
                .filter(m -> !exported.contains(m) && !ExportedMetrics.EXTERNAL.contains(m)).forEach(unknown::add));
        return unknown;
    }

    @Test
    void theServicesExportTheMetersTheirCodeRegisters() {
        assertThat(ExportedMetrics.ofServices()).contains("finsent_scorer_texts_scored_total", "finsent_scorer_encoder_latency_seconds_max",
                "finsent_scorer_batch_texts_sum", "finsent_alerting_sink_lag", "ingest_items_published_total", "finsent_notify_outcomes_total");
    }

    @Test
    void everyRuleReadsExportedSeries() {
        assertThat(ruleExpressions()).hasSizeGreaterThan(8).allSatisfy(e -> assertThat(PromQl.metricNames(e)).as(e).isNotEmpty());
        assertThat(unknownMetrics(ruleExpressions())).as("series no service exports").isEmpty();
    }

    @Test
    void everyRuleHasASeverityAndASummary() {
        RULES.path("groups").forEach(g -> g.path("rules").forEach(r -> {
            assertThat(r.at("/labels/severity").asText()).as(r.path("alert").asText()).isIn("critical", "warning", "info");
            assertThat(r.at("/annotations/summary").asText()).as(r.path("alert").asText()).isNotBlank();
        }));
    }

    @Test
    void everyDashboardQueryReadsExportedSeries() {
        assertThat(dashboardExpressions()).hasSizeGreaterThan(10);
        assertThat(unknownMetrics(dashboardExpressions())).as("series no service exports").isEmpty();
    }

    @Test
    void aMadeUpOrMisspelledSeriesIsCaught() {
        assertThat(unknownMetrics(List.of("rate(finsent_scorer_texts_scored[5m])", "histogram_quantile(0.99, sum by (le) (rate(finsent_scorer_buffer_wait_seconds_bucket[5m])))",
                "histogram_quantile(0.99, sum by (le) (rate(finsent_scorer_encoder_latency_seconds_bucket[5m])))")))
                .as("the buffer wait publishes no histogram; the encoder latency does")
                .containsExactly("finsent_scorer_buffer_wait_seconds_bucket", "finsent_scorer_texts_scored");
    }

    @Test
    void promQlNamesAreTakenFromExpressionsNotFromLabelsFunctionsOrDurations() {
        assertThat(PromQl.metricNames("sum by (stage) (rate(a_total{stage=\"x\", b=~\"c|d\"}[5m] offset 1h)) / clamp_min(b_total, 1e-9) > 0 and on (x) up"))
                .containsExactly("a_total", "b_total", "up");
    }

    @Test
    void metersAreNamedAsMicrometersPrometheusRegistryNamesThem() {
        assertThat(ExportedMetrics.ofSource("Timer.builder(\"a.b\"); registry.counter(\"c.d\", \"k\", v); DistributionSummary.builder(\"e\"); Gauge.builder(\"f.g\", x, y)"))
                .containsExactlyInAnyOrder("a_b_seconds_count", "a_b_seconds_sum", "a_b_seconds_max", "c_d_total", "e_count", "e_sum", "e_max", "f_g");
    }

    @Test
    void theDashboardShowsWhatTheOperatorsNeed() {
        List<String> titles = new ArrayList<>();
        DASHBOARD.path("panels").forEach(p -> titles.add(p.path("title").asText()));

        assertThat(titles).contains("Throughput", "Consumer lag", "Batch fill", "Share of real tokens", "Encoder latency", "Dead letters", "Alerts");
    }

    @Test
    void prometheusScrapesEachServiceOnItsPortAndMetricsPath() {
        JsonNode prometheus = Yaml.read(Yaml.OBSERVABILITY.resolve("prometheus/prometheus.yml"));
        int checked = 0;
        for (JsonNode job : prometheus.path("scrape_configs")) {
            String service = job.at("/relabel_configs/0/replacement").asText();
            if (service.isEmpty()) {
                continue;
            }
            ServiceConfiguration configuration = ServiceConfiguration.of(service);
            checked++;
            assertThat(job.at("/dns_sd_configs/0/port").asInt()).as(service).isEqualTo(configuration.httpPort());
            assertThat(job.path("metrics_path").asText()).as(service).isEqualTo(configuration.property("quarkus.micrometer.export.prometheus.path"));
        }
        assertThat(checked).isEqualTo(3);
        assertThat(prometheus.path("rule_files").get(0).asText()).endsWith("/rules.yml");
    }

    @Test
    void thePodMonitorScrapesTheMetricsPathOnTheNamedHttpPort() {
        JsonNode endpoint = Kustomization.ofKind(Kustomization.build(Yaml.K8S.resolve("overlays/cpu")), "PodMonitor").get(0)
                .at("/spec/podMetricsEndpoints/0");

        assertThat(endpoint.path("path").asText()).isEqualTo(ServiceConfiguration.of("scorer").property("quarkus.micrometer.export.prometheus.path"));
        assertThat(endpoint.path("port").asText()).isEqualTo("http");
    }
}
