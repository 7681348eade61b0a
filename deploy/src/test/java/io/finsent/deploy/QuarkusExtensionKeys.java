package io.finsent.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The configuration keys of Quarkus extensions, from the model each runtime jar carries
 * ({@code META-INF/quarkus-config-doc/quarkus-config-model.json}), over an extension and the Quarkus extensions it
 * depends on (read from the pom in its jar). Jars must be on this module's test classpath: an extension that is
 * not contributes no key, so a variable meant for it is reported rather than let through.
 */
final class QuarkusExtensionKeys {

    private static final String GROUP = "io.quarkus";

    private QuarkusExtensionKeys() {
    }

    /** Property names and their environment variable names of the extensions and everything they pull in. */
    static Set<String> environmentVariablesOf(Set<String> extensions) {
        Set<String> variables = new LinkedHashSet<>();
        closureOf(extensions).forEach(artifact -> collectVariables(artifact, variables));
        return variables;
    }

    /** The extensions and the Quarkus extensions they depend on, transitively. */
    static Set<String> closureOf(Set<String> extensions) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(extensions);
        while (!todo.isEmpty()) {
            String artifact = todo.pop();
            if (seen.add(artifact)) {
                todo.addAll(quarkusDependenciesOf(artifact));
            }
        }
        return seen;
    }

    private static void collectVariables(String artifact, Set<String> variables) {
        // The model of the jar whose pom names this artifact: every jar holds one model at the same path.
        JsonNode model = modelOf(artifact);
        if (model != null) {
            model.path("configRoots").forEach(root -> collectItems(root.path("items"), variables));
        }
    }

    private static void collectItems(JsonNode items, Set<String> variables) {
        for (JsonNode item : items) {
            collectItems(item.path("items"), variables);
            String variable = item.at("/path/environmentVariable").asText("");
            if (!variable.isEmpty()) {
                variables.add(variable);
            }
        }
    }

    private static JsonNode modelOf(String artifact) {
        try {
            var jars = QuarkusExtensionKeys.class.getClassLoader().getResources(pomPath(artifact));
            while (jars.hasMoreElements()) {
                String pom = jars.nextElement().toString();
                String jar = pom.substring(0, pom.indexOf("!/") + 2);
                try (InputStream in = new java.net.URL(jar + "META-INF/quarkus-config-doc/quarkus-config-model.json").openStream()) {
                    return new ObjectMapper().readTree(in);
                } catch (java.io.FileNotFoundException noModel) {
                    return null;
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the configuration model of " + artifact, e);
        }
    }

    /** The io.quarkus runtime dependencies (not test, not optional) declared in an extension's pom. */
    static Set<String> quarkusDependenciesOf(String artifact) {
        Set<String> dependencies = new LinkedHashSet<>();
        try (InputStream in = QuarkusExtensionKeys.class.getClassLoader().getResourceAsStream(pomPath(artifact))) {
            if (in == null) {
                return dependencies;
            }
            Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in).getDocumentElement();
            for (Element dependency : children(child(project, "dependencies"), "dependency")) {
                if (GROUP.equals(text(dependency, "groupId")) && !"test".equals(text(dependency, "scope"))
                        && !"true".equals(text(dependency, "optional"))) {
                    dependencies.add(text(dependency, "artifactId"));
                }
            }
            return dependencies;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the pom of " + artifact, e);
        }
    }

    private static String pomPath(String artifact) {
        return "META-INF/maven/" + GROUP + "/" + artifact + "/pom.xml";
    }

    private static Element child(Element parent, String name) {
        return children(parent, name).stream().findFirst().orElse(null);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? "" : e.getTextContent().trim();
    }
}
