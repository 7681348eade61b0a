package io.finsent.encoder;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The model's HuggingFace tokenizer (DJL bindings, native library from the jar, no network) with its own truncation
 * and padding turned off: it returns the token ids of the text alone, and the ids the model wraps every sequence in.
 * Windowing and padding are the runtime's job.
 */
final class TextTokenizer implements AutoCloseable {

    private static final String PROBE = "probe";

    private final HuggingFaceTokenizer tokenizer;
    private final long[] prefix;
    private final long[] suffix;
    private final long padId;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, long[] prefix, long[] suffix, long padId) {
        this.tokenizer = tokenizer;
        this.prefix = prefix;
        this.suffix = suffix;
        this.padId = padId;
    }

    static TextTokenizer open(Path file) {
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optTruncation(false)
                    .optPadding(false)
                    .optAddSpecialTokens(false)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new ModelDirectoryException(file, "cannot be loaded as a HuggingFace tokenizer (" + e.getMessage()
                    + "); save it with tokenizer.save_pretrained() from the same checkpoint as model.onnx", e);
        }
        try {
            long[] bare = tokenizer.encode(PROBE, false, false).getIds();
            long[] wrapped = tokenizer.encode(PROBE, true, false).getIds();
            int at = indexOf(wrapped, bare);
            if (bare.length == 0 || at < 0) {
                throw new ModelDirectoryException(file, "does not wrap a single text as prefix + text + suffix;"
                        + " the runtime needs a post_processor such as BERT's [CLS] ... [SEP]");
            }
            long[] prefix = Arrays.copyOfRange(wrapped, 0, at);
            long[] suffix = Arrays.copyOfRange(wrapped, at + bare.length, wrapped.length);
            return new TextTokenizer(tokenizer, prefix, suffix, padId(file));
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** Special token ids placed before every window's text (e.g. [CLS]). */
    long[] prefix() {
        return prefix.clone();
    }

    /** Special token ids placed after every window's text (e.g. [SEP]). */
    long[] suffix() {
        return suffix.clone();
    }

    int specialTokenCount() {
        return prefix.length + suffix.length;
    }

    /** The id written into padding positions (masked out by the attention mask). */
    long padId() {
        return padId;
    }

    /**
     * Token ids of each text, without special tokens, never truncated. Texts longer than {@link #CHUNK_CHARS} are
     * tokenized in chunks cut just before a whitespace character (the whitespace starts the next chunk), in parallel:
     * the native tokenizer is slow on one huge string, and pre-tokenizers split at whitespace anyway, so the ids are
     * the same as in one piece for WordPiece, byte-level BPE and SentencePiece tokenizers. Only a run of more than
     * {@code CHUNK_CHARS} characters without whitespace is cut inside, at a code point boundary.
     */
    long[][] tokenize(List<String> texts) {
        List<String> pieces = new ArrayList<>(texts.size());
        int[] firstPiece = new int[texts.size() + 1];
        for (int i = 0; i < texts.size(); i++) {
            firstPiece[i] = pieces.size();
            chunk(wellFormed(texts.get(i)), pieces);
        }
        firstPiece[texts.size()] = pieces.size();
        Encoding[] encodings;
        try {
            encodings = tokenizer.batchEncode(pieces.toArray(String[]::new), false, false);
        } catch (RuntimeException e) {
            throw new TokenizationException("the tokenizer failed on a batch of " + texts.size() + " texts ("
                    + e.getMessage() + "); encode the texts one by one to find the offending one", e);
        }
        long[][] ids = new long[texts.size()][];
        for (int i = 0; i < ids.length; i++) {
            int from = firstPiece[i];
            int to = firstPiece[i + 1];
            if (to - from == 1) {
                ids[i] = encodings[from].getIds();
                continue;
            }
            long[][] parts = new long[to - from][];
            int total = 0;
            for (int p = from; p < to; p++) {
                parts[p - from] = encodings[p].getIds();
                total += parts[p - from].length;
            }
            long[] joined = new long[total];
            int at = 0;
            for (long[] part : parts) {
                System.arraycopy(part, 0, joined, at, part.length);
                at += part.length;
            }
            ids[i] = joined;
        }
        return ids;
    }

    /** Characters per tokenizer call for long texts. */
    static final int CHUNK_CHARS = 16 * 1024;

    static void chunk(String text, List<String> pieces) {
        int length = text.length();
        if (length <= CHUNK_CHARS) {
            pieces.add(text);
            return;
        }
        int start = 0;
        while (length - start > CHUNK_CHARS) {
            int limit = start + CHUNK_CHARS;
            int cut = limit;
            while (cut > start && !Character.isWhitespace(text.charAt(cut))) {
                cut--;
            }
            if (cut == start) {
                cut = Character.isLowSurrogate(text.charAt(limit)) ? limit - 1 : limit;
            }
            pieces.add(text.substring(start, cut));
            start = cut;
        }
        pieces.add(text.substring(start));
    }

    /**
     * Replaces unpaired UTF-16 surrogates with U+FFFD: they have no UTF-8 form, so the native tokenizer cannot take
     * them. Every other character, control characters included, goes through unchanged (the tokenizer's normaliser
     * decides about them).
     */
    static String wellFormed(String text) {
        int length = text.length();
        StringBuilder fixed = null;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                if (fixed != null) {
                    fixed.append(c).append(text.charAt(i + 1));
                }
                i++;
                continue;
            }
            boolean keep = !Character.isSurrogate(c);
            if (!keep && fixed == null) {
                fixed = new StringBuilder(length).append(text, 0, i);
            }
            if (fixed != null) {
                fixed.append(keep ? c : '\uFFFD');
            }
        }
        return fixed == null ? text : fixed.toString();
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static long padId(Path file) {
        try {
            JsonNode padding = new ObjectMapper().readTree(file.toFile()).path("padding");
            return padding.path("pad_id").asLong(0);
        } catch (IOException e) {
            throw new ModelDirectoryException(file, "cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static int indexOf(long[] haystack, long[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
