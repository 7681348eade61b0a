package io.finsent.scorer;

import java.nio.file.Path;
import java.time.Duration;

import io.finsent.scoring.ScorerSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code scorer.*} in application.properties; each default is documented there. */
@ConfigMapping(prefix = "scorer")
public interface ScorerConfig {

    /** The model directory (docs/model-directory.md). */
    Path modelDir();

    /** cpu, cuda or auto. */
    @WithDefault("auto")
    String device();

    @WithDefault("2")
    int intraOpThreads();

    /** Windows are padded to a multiple of this; 1 = exact-length buckets, no padding at all (see application.properties). */
    @WithDefault("1")
    int paddingMultiple();

    @WithDefault("256")
    int maxBatchTexts();

    @WithDefault("16384")
    int tokenBudget();

    @WithDefault("500ms")
    Duration maxWait();

    @WithDefault("200000")
    int maxTextChars();

    default ScorerSettings settings() {
        return new ScorerSettings(maxBatchTexts(), tokenBudget(), maxWait(), maxTextChars());
    }
}
