package io.finsent.encoder;

/** Lets tests in sub-packages prepare the base encoder's model directory. */
public final class TestModelsAccess {

    private TestModelsAccess() {
    }

    public static java.nio.file.Path ensureBaseEncoder() {
        return TestModels.baseEncoder();
    }
}
