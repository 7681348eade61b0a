package io.finsent.scorer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

import io.finsent.encoder.Encoder;
import io.finsent.scoring.ScorerSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** {@code scorer.*} in application.properties; each default is documented there. */
@ConfigMapping(prefix = "scorer")
public interface ScorerConfig {

    /** The model directory (docs/model-directory.md); unset: {@link #model()}'s default. */
    @WithName("model-dir")
    Optional<Path> modelDirSetting();

    /**
     * The model directory: {@code scorer.model-dir}, else {@code models/} under the working directory as
     * {@link Encoder#defaultModel} picks it (the int8 copy on a CPU-only build where it exists, else the float model).
     */
    default Path modelDir() {
        return modelDirSetting().orElseGet(() -> Encoder.defaultModel(Path.of("models")));
    }

    /** cpu, cuda or auto. */
    @WithDefault("auto")
    String device();

    @WithDefault("1")
    int intraOpThreads();

    /** Model calls at once (see application.properties). */
    @WithDefault("2")
    int encoderThreads();

    /** Windows are padded to a multiple of this; 1 = exact-length buckets, no padding at all (see application.properties). */
    @WithDefault("1")
    int paddingMultiple();

    @WithDefault("256")
    int maxBatchTexts();

    @WithDefault("32768")
    int tokenBudget();

    @WithDefault("500ms")
    Duration maxWait();

    @WithDefault("200000")
    int maxTextChars();

    /** Most windows scored per text, its cost cap (see application.properties); unset: the encoder's default. */
    OptionalInt maxWindowsPerText();

    /** Target duration of one model call, at the encoder's measured pace (see application.properties). */
    @WithDefault("8s")
    Duration callBudget();

    /** The longest a stream thread waits for model calls between two commits (see application.properties). */
    @WithDefault("2s")
    Duration streamThreadWait();

    AdminSettings admin();

    ReplaySettings replay();

    ExplainSettings explain();

    /** {@code scorer.explain.*}: word explanations over {@code POST /v1/explanations} (the alerting service asks for them). */
    interface ExplainSettings {

        /** SHA-256 (hex) of the key the alerting service sends (role explain); the admin key works too. */
        Optional<String> keySha256();

        /** Longer texts are refused (422): each word is one more model input. */
        @WithDefault("256")
        int maxWords();
    }

    /** {@code scorer.admin.*}: who may start and cancel replays over {@code /v1/replays}. */
    interface AdminSettings {

        /** SHA-256 (hex) of the admin API key; without it the replay API refuses every call (403). */
        Optional<String> keySha256();
    }

    /** {@code scorer.replay.*}: replays started over the REST API. */
    interface ReplaySettings {

        /** Kafka Streams state of each run's two applications, in {@code <state-dir>/<run id>} (kept for a resume). */
        Path stateDir();

        /** The alerting database, to wait for a run's trend rows before it counts as completed; without it, no wait. */
        Optional<String> jdbcUrl();

        @WithDefault("postgres")
        String jdbcUser();

        /** How long a run waits for the alerting service to write its trend rows. */
        @WithDefault("2m")
        Duration rowsWait();
    }

    default ScorerSettings settings() {
        return new ScorerSettings(maxBatchTexts(), tokenBudget(), maxWait(), maxTextChars(), callBudget(), streamThreadWait(), encoderThreads());
    }
}
