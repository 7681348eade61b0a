package io.finsent.scorer;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.apache.kafka.streams.Topology;

import io.finsent.encoder.Device;
import io.finsent.encoder.Encoder;
import io.finsent.encoder.EncoderOptions;
import io.finsent.scoring.EncoderTextScorer;
import io.finsent.scoring.ScorerMetrics;
import io.finsent.scoring.ScorerTopology;
import io.micrometer.core.instrument.MeterRegistry;

/** Quarkus owns the KafkaStreams instance; this bean gives it the topology and the one shared encoder session. */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    @Singleton
    Encoder encoder(ScorerConfig config) {
        EncoderOptions options = EncoderOptions.defaults()
                .withDevice(Device.valueOf(config.device().toUpperCase(Locale.ROOT)))
                .withIntraOpThreads(config.intraOpThreads())
                .withPaddingMultiple(config.paddingMultiple());
        return Encoder.open(config.modelDir(), options.withMaxWindowsPerText(config.maxWindowsPerText().orElse(options.maxWindowsPerText())));
    }

    void close(@Disposes Encoder encoder) {
        encoder.close();
    }

    @Produces
    Topology topology(ScorerConfig config, Encoder encoder, MeterRegistry registry) {
        return ScorerTopology.build(config.settings(), new EncoderTextScorer(encoder), new ScorerMetrics(registry));
    }
}
