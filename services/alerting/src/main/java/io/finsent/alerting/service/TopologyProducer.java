package io.finsent.alerting.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.apache.kafka.streams.Topology;

import io.finsent.alerting.trends.TrendTopology;

/** Quarkus owns the KafkaStreams instance; this bean gives it the trend topology of alerting-core. */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    Topology topology(AlertingConfig config) {
        return TrendTopology.build(config.trendSettings());
    }
}
