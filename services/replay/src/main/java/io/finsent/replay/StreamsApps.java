package io.finsent.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/** A run's Kafka Streams applications: closed (cleanly, committing) in reverse order; the first failure of any is kept. */
final class StreamsApps implements AutoCloseable {

    private final List<KafkaStreams> running = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    KafkaStreams start(Topology topology, Properties config) {
        KafkaStreams streams = new KafkaStreams(topology, config);
        streams.setUncaughtExceptionHandler(e -> {
            failure.compareAndSet(null, e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        running.add(streams);
        streams.start();
        return streams;
    }

    /** The first failure of a stream thread, or null. */
    Throwable failure() {
        return failure.get();
    }

    void close(KafkaStreams streams) {
        closeLeavingGroup(streams);
        running.remove(streams);
    }

    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            closeLeavingGroup(running.get(i));
        }
        running.clear();
    }

    /** Leaves the group at once (Kafka Streams stays in it until the session times out by default), so a delete can follow. */
    private static void closeLeavingGroup(KafkaStreams streams) {
        streams.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(60)).leaveGroup(true));
    }
}
