package io.finsent.encoder;

/** Lets tests outside this package (services/bench's, through encoder's test-jar) prepare the base encoder's model directory. */
public final class TestModelsAccess {

    private TestModelsAccess() {
    }

    public static java.nio.file.Path ensureBaseEncoder() {
        return TestModels.baseEncoder();
    }
}
