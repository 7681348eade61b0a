#!/usr/bin/python3
"""Runs on the GPU machine (see README): for each shrunken base in training/.cache/devpack/
1) WordPiece re-implementation vs HuggingFace `tokenizers` on every FPB sentence + tricky strings,
2) ONNX Runtime vs the torch BERT (last hidden state), 3) a small hyper-parameter grid scored
on `validation` only. Writes JSON summaries to --out."""
import argparse
import itertools
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)
import train  # noqa: E402
from finsent import core  # noqa: E402
from finsent.bert import load_from_onnx  # noqa: E402
from finsent.wordpiece import WordPieceTokenizer  # noqa: E402

TRICKY = [
    "Caf\u00e9 \u00c5bo Akademi na\u00efve r\u00e9sum\u00e9 \u00dcml\u00e4ut \u00df Stra\u00dfe",
    "Sales of Ty+Âk+Â rose 5.2 % to EUR 1.5 mn -® +ñ+ñ",
    "\u0130stanbul \u03a3\u0391\u03a3 \u03bf\u03b4\u03cc\u03c2 e\u0301 \u212b \u00bd \u00b2 \ufb01nance \uff21\uff22\uff23 \u216b",
    "tab\there\nnew\rline\x00nul\x07bell\x0bvt\x0cff\x1cfs\x85nel\u00a0nbsp\u200bzw\ufeffbom\u2028ls\u3000ideo\ufffdrepl",
    "\u4e2d\u56fd\u94f6\u884c profit \u3042\u3044 \ud55c\uad6d\uc5b4 \U0001f4c8\U0001f4b0 \u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "[CLS] inside [SEP] text [MASK] [cls] [UNK]x [PAD]",
    "EUR1.5bn Q3/2009 $100 +5% -3.2% 3,000.50 U.S. don't it's 'quoted' \"dq\" (paren) [br] {c} a##b ~^|<>=`@#&*_\\",
    "x" * 101 + " " + "y" * 100 + " supercalifragilisticexpialidocious",
    "\u2013 \u2014 \u2018 \u2019 \u201c \u201d \u2026 \u20ac \u00a3 \u00a5 \u00a7 \u00ae \u2122 \u00b0 \u00b1 \u00d7 \u00f7",
    "  leading and trailing spaces   ", "", "\u0301\u0301", "ＰＲＯＦＩＴ　ｗａｒｎｉｎｇ",
]


def check_tokenizer(tok_path, log):
    from tokenizers import Tokenizer
    hf = Tokenizer.from_file(tok_path)
    hf.no_truncation()
    hf.no_padding()
    mine = WordPieceTokenizer(tok_path)
    texts = [r["sentence"] for r in core.load_fpb()] + TRICKY
    bad = []
    for t in texts:
        a, b = hf.encode(t).ids, mine.encode(t)
        if a != b:
            bad.append({"text": t, "hf": a, "mine": b})
    log(f"tokenizer: {len(texts) - len(bad)}/{len(texts)} identical")
    return {"n": len(texts), "n_fpb": len(texts) - len(TRICKY), "mismatches": bad[:20], "n_mismatch": len(bad)}


def check_parity(pack, log):
    import onnxruntime as ort
    tok = WordPieceTokenizer(os.path.join(pack, "tokenizer.json"))
    lut = np.load(os.path.join(pack, "idmap.npy"))
    rows = [r for r in core.load_fpb() if r["split"] == "validation"][:16]
    seqs = [[int(lut[i]) for i in tok.encode(r["sentence"])] for r in rows]
    ids, mask = core.pad(seqs)
    tt = torch.zeros_like(ids)
    sess = ort.InferenceSession(os.path.join(pack, "model.onnx"), providers=["CPUExecutionProvider"])
    ref = sess.run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "token_type_ids": tt.numpy()})[0]
    bert = load_from_onnx(os.path.join(pack, "model.onnx")).eval()
    with torch.no_grad():
        out = bert(ids, mask, tt).numpy()
    m = mask.numpy().astype(bool)
    d = float(np.abs(out - ref)[m].max())
    log(f"parity: max |torch - onnxruntime| over {int(m.sum())} tokens = {d:.3e}")
    return {"max_abs_diff_valid_tokens": d, "max_abs_diff_all": float(np.abs(out - ref).max()),
            "tokens": int(m.sum()), "sentences": len(rows), "ort": ort.__version__}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bases", nargs="+", required=True)
    p.add_argument("--grid", required=True, help='JSON: {"lr":[..],"epochs":[..],"seed":[..],...}')
    p.add_argument("--extra", default="", help="extra train.py args for every run")
    p.add_argument("--out", required=True)
    p.add_argument("--budget", type=float, default=520, help="seconds; no new run starts after this")
    p.add_argument("--checks", action="store_true")
    a = p.parse_args()
    t0 = time.time()
    os.makedirs(a.out, exist_ok=True)
    logf = open(os.path.join(a.out, "search.log"), "a")

    def log(m):
        print(m, flush=True)
        logf.write(m + "\n")
        logf.flush()

    grid = json.loads(a.grid)
    keys = list(grid)
    for base in a.bases:
        pack = os.path.join(HERE, ".cache", "devpack", base)
        summary = {"base": base}
        if a.checks:
            summary["tokenizer_check"] = check_tokenizer(os.path.join(pack, "tokenizer.json"), log)
            summary["parity"] = check_parity(pack, log)
        runs = []
        for vals in itertools.product(*[grid[k] for k in keys]):
            if time.time() - t0 > a.budget:
                log("budget reached")
                break
            argv = ["--base", base, "--onnx", os.path.join(pack, "model.onnx"),
                    "--tokenizer", os.path.join(pack, "tokenizer.json"),
                    "--id-map", os.path.join(pack, "idmap.npy"), "--run-dir", os.path.join("/tmp/runs", base)]
            for k, v in zip(keys, vals):
                if isinstance(v, bool):
                    if v:
                        argv.append("--" + k)
                else:
                    argv += ["--" + k, str(v)]
            argv += a.extra.split()
            res = train.main(argv)
            runs.append({"config": dict(zip(keys, vals)), "extra": a.extra,
                         "epochs": [{k: h[k] for k in ("epoch", "accuracy", "macro_f1", "allagree_accuracy",
                                                      "train_loss", "seconds")} for h in res["history"]],
                         "final": {k: res["validation"][k] for k in ("accuracy", "macro_f1", "allagree_accuracy")},
                         "fp16_val": res["fp16_val"], "seconds": res["total_seconds"]})
            summary["runs"] = runs
            with open(os.path.join(a.out, f"search_{base}.json"), "w") as f:
                json.dump(summary, f, indent=1)
        with open(os.path.join(a.out, f"search_{base}.json"), "w") as f:
            json.dump(summary, f, indent=1)
        for r in runs:
            log(f"{base} {r['config']} final acc {r['final']['accuracy']:.4f} F1 {r['final']['macro_f1']:.4f} "
                f"fp16 {r['fp16_val']['max_abs_logit_diff']:.1e} | per-epoch acc "
                + " ".join(f"{e['accuracy']:.3f}" for e in r["epochs"]))


if __name__ == "__main__":
    main()
