package io.finsent.local.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Quarkus: {@code @QuarkusTestResource(LocalStackTestResource.class)} runs a Quarkus app's tests
 * against the shared embedded broker and database.
 */
public final class LocalStackTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return SharedLocalStack.get().serviceConfig();
    }

    @Override
    public void stop() {
        // The shared stack outlives one app's tests; it stops when the JVM exits.
    }
}
