package io.finsent.bench.pipeline;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A service's Prometheus series at {@code /q/metrics}, untagged ones by name, for benchmarks that watch a running app. */
final class ScorerMetricsScrape {

    private ScorerMetricsScrape() {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Series name (tags dropped; the first series of a name wins) to value; empty if the service does not answer. */
    static Map<String, Double> read(String serviceUrl) {
        Map<String, Double> values = new HashMap<>();
        for (String line : scrape(serviceUrl).split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            int brace = line.indexOf('{');
            if (space < 0) {
                continue;
            }
            String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
            try {
                values.putIfAbsent(name, Double.parseDouble(line.substring(space + 1)));
            } catch (NumberFormatException e) {
                // not a sample line
            }
        }
        return values;
    }

    /** The sum of the series of {@code name} whose tags contain {@code tags} (e.g. {@code area="heap"}); NaN if there is none. */
    static double sum(String serviceUrl, String name, String tags) {
        double total = 0;
        boolean found = false;
        for (String line : scrape(serviceUrl).split("\n")) {
            int space = line.lastIndexOf(' ');
            if (line.startsWith(name) && space > name.length() - 1 && (line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ')
                    && line.substring(0, space).contains(tags)) {
                try {
                    total += Double.parseDouble(line.substring(space + 1));
                    found = true;
                } catch (NumberFormatException e) {
                    // not a sample line
                }
            }
        }
        return found ? total : Double.NaN;
    }

    /** The service's {@code /q/metrics} text; empty if it does not answer within 15 s. */
    private static String scrape(String serviceUrl) {
        try {
            return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(serviceUrl + "/q/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).get(15, TimeUnit.SECONDS).body();
        } catch (ExecutionException | TimeoutException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        return after.getOrDefault(name, Double.NaN) - before.getOrDefault(name, 0.0);
    }
}
