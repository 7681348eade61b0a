package io.finsent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import picocli.CommandLine;

/**
 * {@code ./monitor demo --check} as a user runs it (in-process; the broker, database and services are
 * child processes built by this reactor): the scripted surge fires an alert, the calm topics none, and a replay of
 * the checked range gives identical scored texts, trend rows and alerts, and the surge's alerts the same evidence (at
 * least 3 texts of their windows).
 */
class DemoCheckIntegrationTest {

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void theScriptedSurgeFiresAndTheCalmTopicsDoNot() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Monitor.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        // Other tests of this JVM may have left the shared embedded stack running: only what the demo starts counts.
        Set<Long> before = ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());

        int code = cli.execute("demo", "--check", "--json");

        String printed = out.toString();
        System.out.println(printed);
        System.err.println(err);
        assertThat(code).as("exit code; output:%n%s%n%s", printed, err).isZero();
        String last = printed.strip().lines().reduce((a, b) -> b).orElseThrow();
        JsonNode summary = new ObjectMapper().readTree(last);
        assertThat(summary.get("passed").asBoolean()).isTrue();
        assertThat(summary.get("surge_fired").asBoolean()).isTrue();
        assertThat(summary.get("calm_topics_fired")).isEmpty();
        assertThat(summary.get("windows").asLong()).isGreaterThan(20 * 25);
        assertThat(summary.get("replay_identical").asBoolean()).as("differences: %s", summary.get("replay_differences")).isTrue();
        assertThat(err.toString()).contains("replay identical: true");
        // the surge's alerts show the texts of their windows, the same in the replay
        assertThat(summary.get("evidence_texts").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(summary.get("evidence_identical").asBoolean()).as("differences: %s", summary.get("evidence_differences")).isTrue();
        assertThat(summary.get("evidence_explained").asBoolean()).as("differences: %s", summary.get("evidence_differences")).isTrue();
        // Everything it started has stopped (a process may take a moment to exit after it was told to).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ProcessHandle.current().descendants().anyMatch(p -> p.isAlive() && !before.contains(p.pid())) && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(ProcessHandle.current().descendants().filter(p -> p.isAlive() && !before.contains(p.pid()))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList()).isEmpty();
    }
}
