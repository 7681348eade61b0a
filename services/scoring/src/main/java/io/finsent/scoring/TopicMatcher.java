package io.finsent.scoring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ahocorasick.trie.PayloadTrie;

import io.finsent.schema.MatchReason;
import io.finsent.schema.RawText;
import io.finsent.schema.TopicDefinition;
import io.finsent.schema.TopicMatch;

/**
 * Which topics a text belongs to: tickers given by its source, cashtags in its text, keywords and aliases (whole words,
 * case-insensitive), and cosine similarity between the text's pooled embedding and each topic description's embedding,
 * at the topic's own threshold. One match per topic, the first reason in that order, topics in id order.
 *
 * <p>Built once per set of topic definitions, so its cost per text does not grow with the watchlist: tickers are looked
 * up in a map, and every enabled topic's keywords and aliases are found in one pass over the text by an Aho-Corasick
 * automaton ({@code org.ahocorasick}); only similarity is per topic, and only for topics with a description and a
 * threshold that nothing else matched.
 */
public final class TopicMatcher {

    private static final Pattern CASHTAG = Pattern.compile("(?<![\\w$])\\$([A-Za-z]{1,6}(?:[.-][A-Za-z]{1,2})?)\\b");

    /** A topic a word (keyword or alias) stands for. */
    private record WordOf(String topic, MatchReason reason) {
    }

    /** A topic matched by similarity when nothing else matched it. */
    private record BySimilarity(String topic, double threshold) {
    }

    /** Enabled topics' ids by upper-case ticker. */
    private final Map<String, List<String>> byTicker = new HashMap<>();
    /** Lower-case keywords and aliases, each with the topics it stands for; null when there are none. */
    private final PayloadTrie<List<WordOf>> words;
    private final List<BySimilarity> similarity = new ArrayList<>();

    private TopicMatcher(Map<String, TopicDefinition> topics) {
        Map<String, List<WordOf>> wordTopics = new HashMap<>();
        for (TopicDefinition topic : new TreeMap<>(topics).values()) {
            if (!topic.getEnabled()) {
                continue;
            }
            for (String ticker : topic.getTickers()) {
                byTicker.computeIfAbsent(ticker.toUpperCase(Locale.ROOT), t -> new ArrayList<>()).add(topic.getId());
            }
            addWords(wordTopics, topic, topic.getKeywords(), MatchReason.KEYWORD);
            addWords(wordTopics, topic, topic.getAliases(), MatchReason.ALIAS);
            if (topic.getSimilarityThreshold() != null) {
                similarity.add(new BySimilarity(topic.getId(), topic.getSimilarityThreshold()));
            }
        }
        if (wordTopics.isEmpty()) {
            words = null;
        } else {
            PayloadTrie.PayloadTrieBuilder<List<WordOf>> trie = PayloadTrie.builder();
            wordTopics.forEach(trie::addKeyword);
            words = trie.build();
        }
    }

    /** The matcher of these definitions (disabled ones never match). */
    public static TopicMatcher of(Map<String, TopicDefinition> topics) {
        return new TopicMatcher(topics);
    }

    private static void addWords(Map<String, List<WordOf>> wordTopics, TopicDefinition topic, List<String> list, MatchReason reason) {
        for (String word : list) {
            String w = word.toLowerCase(Locale.ROOT).strip();
            if (!w.isEmpty()) {
                wordTopics.computeIfAbsent(w, k -> new ArrayList<>()).add(new WordOf(topic.getId(), reason));
            }
        }
    }

    /** Tickers named as cashtags in a text, upper case, in order of appearance. */
    static Set<String> cashtags(String text) {
        Set<String> tags = new LinkedHashSet<>();
        Matcher m = CASHTAG.matcher(text);
        while (m.find()) {
            tags.add(m.group(1).toUpperCase(Locale.ROOT));
        }
        return tags;
    }

    /**
     * @param embedding the text's pooled embedding (null: no similarity tagging)
     * @param descriptionEmbeddings per topic id, the embedding of its description (absent: no similarity tagging)
     */
    public List<TopicMatch> match(RawText text, float[] embedding, Map<String, float[]> descriptionEmbeddings) {
        String body = (text.getTitle() == null ? "" : text.getTitle() + "\n") + text.getBody();
        Map<String, MatchReason> reasons = new HashMap<>();
        for (String ticker : text.getTickers()) {
            byTicker.getOrDefault(ticker.toUpperCase(Locale.ROOT), List.of()).forEach(id -> reasons.put(id, MatchReason.TICKER));
        }
        for (String tag : cashtags(body)) {
            byTicker.getOrDefault(tag, List.of()).forEach(id -> reasons.putIfAbsent(id, MatchReason.CASHTAG));
        }
        if (words != null) {
            String lower = body.toLowerCase(Locale.ROOT);
            words.parseText(lower, emit -> {
                if (wholeWord(lower, emit.getStart(), emit.getEnd() + 1)) {
                    for (WordOf w : emit.getPayload()) {
                        reasons.merge(w.topic(), w.reason(), (had, now) -> had.compareTo(now) <= 0 ? had : now);
                    }
                }
                return true;
            });
        }
        Map<String, TopicMatch> matches = new TreeMap<>();
        reasons.forEach((id, reason) -> matches.put(id, TopicMatch.newBuilder().setTopic(id).setReason(reason).setSimilarity(null).build()));
        if (embedding != null) {
            for (BySimilarity s : similarity) {
                float[] description = descriptionEmbeddings.get(s.topic());
                if (description == null || matches.containsKey(s.topic())) {
                    continue;
                }
                double cosine = cosine(embedding, description);
                if (cosine >= s.threshold()) {
                    matches.put(s.topic(), TopicMatch.newBuilder().setTopic(s.topic()).setReason(MatchReason.SIMILARITY).setSimilarity(cosine).build());
                }
            }
        }
        return new ArrayList<>(matches.values());
    }

    /** Whether {@code [start, end)} of the text is a whole word: no letter or digit right before or after it. */
    private static boolean wholeWord(String text, int start, int end) {
        return (start == 0 || !Character.isLetterOrDigit(text.charAt(start - 1)))
                && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end)));
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
