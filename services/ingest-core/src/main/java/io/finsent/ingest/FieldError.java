package io.finsent.ingest;

/** One thing wrong with one field of an input item, in words the sender can act on. */
public record FieldError(String field, String message) {

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
