package io.finsent.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Prometheus series our services export, derived from the Micrometer meters their code registers, named as
 * Micrometer's Prometheus registry names them: dots become underscores, counters end in {@code _total}, timers
 * give {@code _seconds_count}, {@code _seconds_sum} and {@code _seconds_max}, distribution summaries
 * {@code _count}, {@code _sum} and {@code _max}, and a meter built with {@code publishPercentileHistogram()} also
 * {@code _bucket}.
 */
final class ExportedMetrics {

    /** Series that come from elsewhere, each with its source (see docs/operations.md, "Observability"). */
    static final Set<String> EXTERNAL = Set.of(
            "up",                       // Prometheus itself, per scrape target
            "kafka_consumergroup_lag"); // Kafka Exporter: Strimzi's kafkaExporter, or the compose file's kafka-exporter

    private static final Pattern BUILDER = Pattern.compile("\\b(Counter|Timer|DistributionSummary|Gauge)\\.builder\\(\\s*\"([^\"]+)\"");
    private static final Pattern SHORTHAND = Pattern.compile("\\.(counter|timer|summary|gauge)\\(\\s*\"([^\"]+)\"");

    private ExportedMetrics() {
    }

    /** Every series name the services' main code exports. */
    static Set<String> ofServices() {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Yaml.ROOT.resolve("services"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/")).toList()) {
                names.addAll(ofSource(Files.readString(file)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the services' sources", e);
        }
        return names;
    }

    /** The series of the meters registered in one source file. */
    static Set<String> ofSource(String source) {
        Set<String> names = new TreeSet<>();
        for (Pattern pattern : List.of(BUILDER, SHORTHAND)) {
            Matcher meter = pattern.matcher(source);
            while (meter.find()) {
                String base = meter.group(2).replace('.', '_');
                List<String> series = series(meter.group(1).toLowerCase(java.util.Locale.ROOT), base);
                names.addAll(series);
                int end = source.indexOf(".register(", meter.end());
                if (end > 0 && source.substring(meter.end(), end).contains("publishPercentileHistogram()")) {
                    names.add(series.get(0).replace("_count", "_bucket"));
                }
            }
        }
        return names;
    }

    private static List<String> series(String type, String base) {
        return switch (type) {
            case "counter" -> List.of(base + "_total");
            case "timer" -> List.of(base + "_seconds_count", base + "_seconds_sum", base + "_seconds_max");
            case "distributionsummary", "summary" -> List.of(base + "_count", base + "_sum", base + "_max");
            default -> List.of(base);
        };
    }
}
