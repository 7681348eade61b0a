package io.finsent.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The images of our services, as the documented build command (deploy/build-images.sh) tags them. */
final class ServiceImages {

    private static final Pattern BUILD = Pattern.compile("docker build -f (\\S+) -t (\\S+) \\.");

    private ServiceImages() {
    }

    /** Image reference (name:tag) -> the Dockerfile it is built from (deploy/NAME/Dockerfile...). */
    static Map<String, String> built() {
        try {
            Map<String, String> images = new LinkedHashMap<>();
            Matcher build = BUILD.matcher(Files.readString(Yaml.ROOT.resolve("deploy/build-images.sh")));
            while (build.find()) {
                images.put(build.group(2), build.group(1));
            }
            return images;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read deploy/build-images.sh", e);
        }
    }

    /** The service module an image's Dockerfile belongs to: deploy/scorer/Dockerfile.cuda -> scorer. */
    static String moduleOf(String dockerfile) {
        return dockerfile.split("/")[1];
    }
}
