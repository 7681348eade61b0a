package io.finsent.common;

/**
 * The one string the model reads for a text: its title and body with a newline between, or either alone when the other is
 * blank. The scorer scores it, and an explanation of a stored text explains the same string.
 */
public final class ModelText {

    private ModelText() {
    }

    public static String of(String title, String body) {
        String b = body == null ? "" : body;
        return title == null || title.isBlank() ? b : b.isBlank() ? title : title + "\n" + b;
    }
}
