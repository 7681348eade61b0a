package io.finsent.scorer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;

import io.finsent.common.Topics;
import io.finsent.local.LocalStack;

/** For the tests that run the packaged scorer app as a child process on a real broker, and read what it wrote. */
final class ScorerApp {

    private ScorerApp() {
    }

    /** Starts {@code target/quarkus-app/quarkus-run.jar} on {@code stack} with the shipped model on CPU, plus {@code settings} as -D options. */
    static Process start(LocalStack stack, Path log, List<String> settings) throws IOException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run through Maven (package builds it before integration tests)");
        }
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx1g",
                "-Dquarkus.kafka-streams.bootstrap-servers=" + stack.bootstrapServers(),
                "-Dkafka.bootstrap.servers=" + stack.bootstrapServers(),
                "-Dscorer.model-dir=" + Path.of("../../models/finsent-sentiment").toAbsolutePath().normalize(),
                "-Dscorer.device=cpu"));
        settings.forEach(setting -> cmd.add("-D" + setting));
        cmd.addAll(List.of("-jar", jar.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** A read_committed consumer of {@code topic} from its beginning, in a group of its own. */
    static KafkaConsumer<String, Object> consumer(LocalStack stack, Topics.Topic<?> topic) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "scorer-check-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        @SuppressWarnings("unchecked")
        var deserializer = (Deserializer<Object>) topic.valueSerde().deserializer();
        return new KafkaConsumer<>(config, topic.keySerde().deserializer(), deserializer);
    }
}
