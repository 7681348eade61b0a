package io.finsent.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The configuration keys declared by a module's {@code @ConfigMapping} interfaces, read from their source (the
 * deploy checks do not build the services). A map level becomes {@code *}: {@code ingest.clients.*.key-sha256}.
 * Covers what our mappings use: nested interfaces, {@code Map<String, X>}, {@code @WithName}; a test checks that
 * every key of the service's application.properties is among the keys found, so a construct this misses shows.
 */
final class ConfigMappingSource {

    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"\\s*\\)\\s*public\\s+interface\\s+(\\w+)");
    private static final Pattern INTERFACE = Pattern.compile("interface\\s+(\\w+)\\s*\\{");
    private static final Pattern METHOD = Pattern.compile("((?:@\\w+(?:\\([^)]*\\))?\\s+)*)([\\w.]+(?:<[^;(){}]*>)?)\\s+(\\w+)\\s*\\(\\s*\\)\\s*;");
    private static final Pattern WITH_NAME = Pattern.compile("@WithName\\(\\s*\"([^\"]+)\"\\s*\\)");
    private static final Pattern MAP_VALUE = Pattern.compile("Map<\\s*String\\s*,\\s*([\\w.]+)\\s*>");

    private ConfigMappingSource() {
    }

    /** Every key (with * for map keys) of the mappings under a module's src/main/java. */
    static Set<String> keysOf(Path module) {
        Set<String> keys = new LinkedHashSet<>();
        try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = withoutComments(Files.readString(file));
                Matcher mapping = MAPPING.matcher(source);
                if (mapping.find()) {
                    Map<String, String> bodies = interfaceBodies(source);
                    collect(mapping.group(1), bodies.get(mapping.group(2)), bodies, keys);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sources of " + module, e);
        }
        return keys;
    }

    private static void collect(String prefix, String body, Map<String, String> bodies, Set<String> keys) {
        Matcher method = METHOD.matcher(withoutNestedInterfaces(body));
        while (method.find()) {
            Matcher withName = WITH_NAME.matcher(method.group(1));
            String name = prefix + "." + (withName.find() ? withName.group(1) : kebab(method.group(3)));
            String type = method.group(2);
            Matcher map = MAP_VALUE.matcher(type);
            if (map.matches()) {
                name += ".*";
                type = map.group(1);
            }
            if (bodies.containsKey(type)) {
                collect(name, bodies.get(type), bodies, keys);
            } else {
                keys.add(name);
            }
        }
    }

    /** The body of every interface in a file, nested ones included, by simple name. */
    private static Map<String, String> interfaceBodies(String source) {
        Map<String, String> bodies = new HashMap<>();
        Matcher declaration = INTERFACE.matcher(source);
        while (declaration.find()) {
            bodies.put(declaration.group(1), source.substring(declaration.end(), closingBrace(source, declaration.end())));
        }
        return bodies;
    }

    private static String withoutNestedInterfaces(String body) {
        StringBuilder out = new StringBuilder();
        int from = 0;
        Matcher nested = INTERFACE.matcher(body);
        while (from < body.length() && nested.find(from)) {
            out.append(body, from, nested.start());
            from = closingBrace(body, nested.end()) + 1;
        }
        return out.append(body.substring(Math.min(from, body.length()))).toString();
    }

    /** The index of the brace that closes the block opened just before {@code start}. */
    private static int closingBrace(String text, int start) {
        int depth = 1;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unbalanced braces after index " + start);
    }

    private static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }

    /** SmallRye's default naming: maxBatchTexts -> max-batch-texts. */
    static String kebab(String method) {
        return method.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
