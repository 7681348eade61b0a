package io.finsent.alerting.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.apache.kafka.streams.Topology;

import io.finsent.alerting.trends.TrendTopology;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Quarkus owns the KafkaStreams instance; this bean gives it the trend topology of alerting-core, with a counter of
 * the texts it dead-letters as late (their window had closed: counted in no trend, so watched by a rule).
 */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    Topology topology(AlertingConfig config, MeterRegistry registry) {
        Counter late = Counter.builder("finsent.alerting.late.texts")
                .description("scored texts sent to text.dlq as late (stage alerting.late): their trend window had closed")
                .register(registry);
        return TrendTopology.build(config.trendSettings(), late::increment);
    }
}
