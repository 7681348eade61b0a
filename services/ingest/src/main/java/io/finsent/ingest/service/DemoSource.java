package io.finsent.ingest.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.finsent.ingest.ItemValidation;
import io.finsent.ingest.demo.DemoStream;
import io.quarkus.scheduler.Scheduled;

/**
 * The demo source ({@code ingest.demo.enabled=true}): publishes {@link DemoStream} items in real time
 * from the service's start, with the scripted negative surge, so the pipeline moves without any feed.
 */
@ApplicationScoped
public class DemoSource {

    private static final Logger LOG = Logger.getLogger(DemoSource.class);

    private final IngestConfig.Demo config;
    private final RawTextPublisher publisher;
    private final Clock clock = Clock.systemUTC();
    private final ItemValidation validation = new ItemValidation(ItemValidation.Rules.defaults(clock));
    private DemoStream stream;
    private long published;

    DemoSource(IngestConfig config, RawTextPublisher publisher) {
        this.config = config.demo();
        this.publisher = publisher;
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "demo-source")
    synchronized void tick() {
        if (!config.enabled()) {
            return;
        }
        Instant now = clock.instant();
        if (stream == null) {
            DemoStream.Script defaults = DemoStream.Script.defaults();
            stream = new DemoStream(config.seed(), now, new DemoStream.Script(config.surgeTicker(), defaults.cycle(), defaults.surgeStart(),
                    defaults.surgeLength(), config.itemsPerMinute(), defaults.surgeFactor()));
            LOG.infof("demo source on: %.0f items a minute over %d tickers, a negative surge on %s from minute 5 to 8 of every 15",
                    config.itemsPerMinute(), DemoStream.tickers().size(), config.surgeTicker());
        }
        while (!stream.peekTime().isAfter(now)) {
            DemoStream.DemoItem demo = stream.next();
            if (validation.check(demo.item()) instanceof ItemValidation.Valid valid) {
                publisher.publish(valid.item());
                published++;
            }
        }
    }

    synchronized long published() {
        return published;
    }

    Duration uptime() {
        return stream == null ? Duration.ZERO : Duration.between(stream.peekTime(), clock.instant());
    }
}
