package io.finsent.scoring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.finsent.schema.MatchReason;
import io.finsent.schema.RawText;
import io.finsent.schema.TopicDefinition;
import io.finsent.schema.TopicMatch;

/**
 * Which topics a text belongs to: tickers given by its source, cashtags in its text, keywords and
 * aliases (whole words, case-insensitive), and cosine similarity between the text's pooled embedding
 * and each topic description's embedding, at the topic's own threshold. One match per topic, the
 * first reason in that order.
 */
final class TopicMatcher {

    private static final Pattern CASHTAG = Pattern.compile("(?<![\\w$])\\$([A-Za-z]{1,6}(?:[.-][A-Za-z]{1,2})?)\\b");

    private TopicMatcher() {
    }

    /** Tickers named as cashtags in a text, upper case, in order of appearance. */
    static Set<String> cashtags(String text) {
        Set<String> tags = new java.util.LinkedHashSet<>();
        Matcher m = CASHTAG.matcher(text);
        while (m.find()) {
            tags.add(m.group(1).toUpperCase(Locale.ROOT));
        }
        return tags;
    }

    /**
     * @param descriptionEmbeddings per topic id, the embedding of its description (absent: no similarity tagging)
     */
    static List<TopicMatch> match(RawText text, float[] embedding, Map<String, TopicDefinition> topics,
                                  Map<String, float[]> descriptionEmbeddings) {
        String body = (text.getTitle() == null ? "" : text.getTitle() + "\n") + text.getBody();
        Set<String> sourceTickers = new TreeSet<>();
        text.getTickers().forEach(t -> sourceTickers.add(t.toUpperCase(Locale.ROOT)));
        Set<String> tags = cashtags(body);
        String lower = body.toLowerCase(Locale.ROOT);
        Map<String, TopicMatch> matches = new LinkedHashMap<>();
        for (TopicDefinition topic : topics.values()) {
            if (!topic.getEnabled()) {
                continue;
            }
            MatchReason reason = null;
            Double similarity = null;
            for (String ticker : topic.getTickers()) {
                String t = ticker.toUpperCase(Locale.ROOT);
                if (sourceTickers.contains(t)) {
                    reason = MatchReason.TICKER;
                    break;
                }
                if (reason == null && tags.contains(t)) {
                    reason = MatchReason.CASHTAG;
                }
            }
            if (reason == null && containsWord(lower, topic.getKeywords())) {
                reason = MatchReason.KEYWORD;
            }
            if (reason == null && containsWord(lower, topic.getAliases())) {
                reason = MatchReason.ALIAS;
            }
            float[] description = descriptionEmbeddings.get(topic.getId());
            if (reason == null && description != null && embedding != null && topic.getSimilarityThreshold() != null) {
                double cosine = cosine(embedding, description);
                if (cosine >= topic.getSimilarityThreshold()) {
                    reason = MatchReason.SIMILARITY;
                    similarity = cosine;
                }
            }
            if (reason != null) {
                matches.put(topic.getId(), TopicMatch.newBuilder().setTopic(topic.getId()).setReason(reason).setSimilarity(similarity).build());
            }
        }
        return new ArrayList<>(new java.util.TreeMap<>(matches).values());
    }

    private static boolean containsWord(String lowerText, List<String> words) {
        for (String word : words) {
            String w = word.toLowerCase(Locale.ROOT).strip();
            if (w.isEmpty()) {
                continue;
            }
            int at = lowerText.indexOf(w);
            while (at >= 0) {
                boolean startOk = at == 0 || !Character.isLetterOrDigit(lowerText.charAt(at - 1));
                int end = at + w.length();
                boolean endOk = end == lowerText.length() || !Character.isLetterOrDigit(lowerText.charAt(end));
                if (startOk && endOk) {
                    return true;
                }
                at = lowerText.indexOf(w, at + 1);
            }
        }
        return false;
    }

    /** Cosine similarity, summed in index order in double precision so the result is reproducible. */
    static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embeddings of different sizes: " + a.length + " and " + b.length);
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
