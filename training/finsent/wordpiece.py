"""Pure-Python re-implementation of the HuggingFace `tokenizers` BERT pipeline
(BertNormalizer + BertPreTokenizer + WordPiece + [CLS]/[SEP] template) read from a
tokenizer.json. It mirrors tokenizers/src/{normalizers/bert.rs, pre_tokenizers/bert.rs,
models/wordpiece/mod.rs} so that ids match what the Java runtime (DJL HuggingFace
tokenizers, same Rust library, same tokenizer.json) produces.
"""
import json
import unicodedata


def _is_whitespace(c):
    if c in "\t\n\r":
        return True
    return c.isspace() and _rust_whitespace(c)


# Rust char::is_whitespace == Unicode White_Space property. Python's str.isspace() also
# accepts U+001C..U+001F (category B/S separators); those are not White_Space in Rust.
_NOT_RUST_WS = {"\x1c", "\x1d", "\x1e", "\x1f"}


def _rust_whitespace(c):
    if c in _NOT_RUST_WS:
        return False
    return c.isspace() or c in "\x85"


def _is_control(c):
    if c in "\t\n\r":
        return False
    return unicodedata.category(c).startswith("C")  # Cc, Cf, Cs, Co, Cn


def _is_chinese(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B920 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _is_punct(c):
    o = ord(c)
    if (33 <= o <= 47) or (58 <= o <= 64) or (91 <= o <= 96) or (123 <= o <= 126):
        return True
    return unicodedata.category(c).startswith("P")


class WordPieceTokenizer:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            t = json.load(f)
        norm = t.get("normalizer") or {}
        assert norm.get("type") == "BertNormalizer", norm
        assert (t.get("pre_tokenizer") or {}).get("type") == "BertPreTokenizer"
        model = t["model"]
        assert model["type"] == "WordPiece"
        self.clean_text = norm.get("clean_text", True)
        self.chinese = norm.get("handle_chinese_chars", True)
        self.lowercase = norm.get("lowercase", True)
        sa = norm.get("strip_accents")
        self.strip_accents = self.lowercase if sa is None else sa
        self.vocab = model["vocab"]
        self.unk = model.get("unk_token", "[UNK]")
        self.prefix = model.get("continuing_subword_prefix", "##")
        self.max_chars = model.get("max_input_chars_per_word", 100)
        self.cls_id = self.vocab["[CLS]"]
        self.sep_id = self.vocab["[SEP]"]
        self.pad_id = self.vocab.get("[PAD]", 0)
        self.unk_id = self.vocab[self.unk]
        # added tokens are matched on the raw text (all have normalized=False here)
        self.added = sorted([a["content"] for a in t.get("added_tokens", [])], key=len, reverse=True)
        self.added_ids = {a["content"]: a["id"] for a in t.get("added_tokens", [])}
        self._cache = {}

    def normalize(self, s):
        if self.clean_text:
            s = "".join(" " if _is_whitespace(c) else c for c in s
                        if not (ord(c) == 0 or ord(c) == 0xFFFD or _is_control(c)))
        if self.chinese:
            s = "".join(f" {c} " if _is_chinese(ord(c)) else c for c in s)
        if self.strip_accents:
            s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
        if self.lowercase:  # per character, like Rust's char::to_lowercase (no final-sigma rule)
            s = "".join(c.lower() for c in s)
        return s

    def pre_tokenize(self, s):
        words, cur = [], []
        for c in s:
            if _rust_whitespace(c) or c in "\t\n\r":
                if cur:
                    words.append("".join(cur))
                    cur = []
            elif _is_punct(c):
                if cur:
                    words.append("".join(cur))
                    cur = []
                words.append(c)
            else:
                cur.append(c)
        if cur:
            words.append("".join(cur))
        return words

    def wordpiece(self, w):
        r = self._cache.get(w)
        if r is not None:
            return r
        if len(w) > self.max_chars:
            r = [self.unk_id]
        else:
            r, start = [], 0
            while start < len(w):
                end, cur = len(w), None
                while start < end:
                    sub = w[start:end]
                    if start > 0:
                        sub = self.prefix + sub
                    if sub in self.vocab:
                        cur = self.vocab[sub]
                        break
                    end -= 1
                if cur is None:
                    r = [self.unk_id]
                    break
                r.append(cur)
                start = end
        self._cache[w] = r
        return r

    def _split_added(self, text):
        """Split raw text on added (special) tokens, like the AddedVocabulary does."""
        parts, i, buf = [], 0, []
        while i < len(text):
            for a in self.added:
                if text.startswith(a, i):
                    if buf:
                        parts.append(("".join(buf), False))
                        buf = []
                    parts.append((a, True))
                    i += len(a)
                    break
            else:
                buf.append(text[i])
                i += 1
        if buf:
            parts.append(("".join(buf), False))
        return parts

    def encode(self, text, max_len=None):
        """Token ids with [CLS] ... [SEP]; truncated to max_len (special tokens included)."""
        ids = []
        for part, special in self._split_added(text):
            if special:
                ids.append(self.added_ids[part])
                continue
            for w in self.pre_tokenize(self.normalize(part)):
                ids.extend(self.wordpiece(w))
        if max_len is not None:
            ids = ids[: max_len - 2]
        return [self.cls_id] + ids + [self.sep_id]
