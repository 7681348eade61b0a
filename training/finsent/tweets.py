"""Twitter Financial News Sentiment (zeroshot, MIT licence; Ricky Costa, Hugging Face 2022): loading and a fixed,
near-duplicate-aware train/validation split of the train file we have (the official validation split is held out).

The split is deterministic and depends on the text only (no random state, no row order):

1. every text gets a grouping key: lower-cased, URLs (``http(s)://...``, ``www....``) and ``@mentions`` removed,
   punctuation (Unicode category P* and S*, so ``$`` too) removed, whitespace removed altogether;
2. rows with equal keys form a group, so near-duplicates (the same headline with another link, mention or
   punctuation) always land on the same side;
3. a group is in ``validation`` when the first 8 hex digits of SHA-256(key) taken as an integer, modulo 10,000, are
   below 1,500 (~15% of the groups), else in ``train``.

Usage::

    from finsent import tweets
    train, validation = tweets.split()          # lists of dicts: id, text, label (0/1/2), group, split
"""
import csv
import hashlib
import os
import re
import unicodedata

LABELS = ["negative", "neutral", "positive"]
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # training/
_CANDIDATES = [
    os.path.join(HERE, "data", "twitter_financial_news_sentiment", "twitter_financial_news_sentiment_train.tsv"),
    os.path.join(os.path.dirname(HERE), "..", "shared", "data", "twitter_financial_news_sentiment",
                 "twitter_financial_news_sentiment_train.tsv"),
    "/work/shared/data/twitter_financial_news_sentiment/twitter_financial_news_sentiment_train.tsv",
]
VALIDATION_PER_10000 = 1500

_URL = re.compile(r"(https?://\S*|www\.\S*)", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")


def default_path():
    for p in _CANDIDATES:
        if os.path.exists(p):
            return os.path.normpath(p)
    raise FileNotFoundError("twitter_financial_news_sentiment_train.tsv not found in " + ", ".join(_CANDIDATES))


def load(path=None):
    """All rows of the file: dicts with id, text, label (index into LABELS)."""
    path = path or default_path()
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quotechar='"')
        header = next(reader)
        assert header[:3] == ["id", "text", "label"], header
        for rec in reader:
            rows.append(dict(id=rec[0], text=rec[1], label=LABELS.index(rec[2])))
    return rows


def group_key(text):
    """The near-duplicate key of a tweet (see the module docstring)."""
    s = text.lower()
    s = _URL.sub(" ", s)
    s = _MENTION.sub(" ", s)
    s = "".join(c for c in s if not unicodedata.category(c)[0] in "PSZ" and not c.isspace())
    return s


def in_validation(key):
    h = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16)
    return h % 10000 < VALIDATION_PER_10000


def split(path=None):
    """(train, validation): lists of row dicts (id, text, label, group, split), in file order."""
    train, validation = [], []
    for r in load(path):
        key = group_key(r["text"])
        r = dict(r, group=key)
        if in_validation(key):
            validation.append(dict(r, split="validation"))
        else:
            train.append(dict(r, split="train"))
    return train, validation


if __name__ == "__main__":
    tr, va = split()
    groups_tr = {r["group"] for r in tr}
    groups_va = {r["group"] for r in va}
    assert not groups_tr & groups_va
    print(f"train {len(tr)} rows / {len(groups_tr)} groups, validation {len(va)} rows / {len(groups_va)} groups")
    for name, rs in (("train", tr), ("validation", va)):
        print(name, {lab: sum(r["label"] == i for r in rs) for i, lab in enumerate(LABELS)})
