package io.finsent.service;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;

/**
 * When started by {@code ./monitor up} ({@code finsent.parent-pid} set), the service stops when that
 * process is gone, even if it was killed, so nothing is left running.
 */
@ApplicationScoped
public class ParentProcessWatch {

    private static final Logger LOG = Logger.getLogger(ParentProcessWatch.class);

    void watch(@Observes StartupEvent event, @ConfigProperty(name = "finsent.parent-pid") Optional<Long> parentPid) {
        parentPid.ifPresent(pid -> ProcessHandle.of(pid).ifPresentOrElse(
                parent -> parent.onExit().thenRun(() -> {
                    LOG.infof("parent process %d is gone; stopping", pid);
                    Quarkus.asyncExit(0);
                }),
                () -> Quarkus.asyncExit(0)));
    }
}
