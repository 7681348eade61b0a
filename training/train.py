#!/usr/bin/python3
"""Fine-tune a small BERT encoder (from a Maven Central langchain4j embedding jar) on the
Financial PhraseBank `train` split and export models/finsent-sentiment/.

    /usr/bin/python3 training/train.py --base bge-small-en-v15 --out models/finsent-sentiment

See training/README.md."""
import argparse
import copy
import json
import os
import shutil
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from finsent import bases, core  # noqa: E402
from finsent.bert import Classifier, load_from_onnx, flops_per_token  # noqa: E402
from finsent.wordpiece import WordPieceTokenizer  # noqa: E402


def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", default="bge-small-en-v15", choices=sorted(bases.BASES))
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--warmup", type=float, default=0.1, help="fraction of steps")
    p.add_argument("--wd", type=float, default=0.01)
    p.add_argument("--llrd", type=float, default=1.0, help="layer-wise lr decay factor (1 = off)")
    p.add_argument("--freeze-word-emb", action="store_true", help="do not train the word-embedding matrix")
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--pooling", choices=["cls", "mean"], default=None, help="default: the base's own")
    p.add_argument("--max-len", type=int, default=256)
    p.add_argument("--device", default="auto", help="auto | cpu | cuda")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.add_argument("--out", default=None, help="model directory to write (model.onnx, tokenizer.json, config.json)")
    p.add_argument("--run-dir", default=None, help="where to write metrics.json / log (default training/runs/<name>)")
    p.add_argument("--test", action="store_true", help="evaluate the test split once at the end (shipped model only)")
    p.add_argument("--baseline", action="store_true", help="also fit the frozen-encoder + logistic-regression baseline")
    p.add_argument("--version", default="1.0.0")
    p.add_argument("--from-checkpoint", default=None,
                   help="skip fine-tuning: load a model.pt written by an earlier run (export/evaluate only)")
    p.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)  # smoke tests only
    # overrides used by the GPU search (shrunken base graphs, see finsent/devpack.py)
    p.add_argument("--onnx", default=None)
    p.add_argument("--tokenizer", default=None)
    p.add_argument("--id-map", default=None, help=".npy lookup table original id -> row of the shrunken embedding")
    return p.parse_args(argv)


class Data:
    def __init__(self, tok, max_len, lut=None, limit=0):
        rows = core.load_fpb()
        self.split = {}
        for name in ("train", "validation", "test"):
            rs = [r for r in rows if r["split"] == name]
            seqs = [tok.encode(r["sentence"], max_len) for r in rs]
            if lut is not None:
                seqs = [[int(lut[i]) for i in s] for s in seqs]
            self.split[name] = (seqs, [r["label"] for r in rs], [r["agreement"] for r in rs])
            if limit:
                self.split[name] = tuple(x[:limit] for x in self.split[name])


def pick_device(name):
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


def build_model(args):
    onnx_path, tok_path = (args.onnx, args.tokenizer) if args.onnx else bases.fetch(args.base)
    pooling = args.pooling or bases.BASES[args.base][4]
    model = Classifier(load_from_onnx(onnx_path, drop=args.dropout), 3, pooling, drop=args.dropout)
    torch.manual_seed(args.seed)
    torch.nn.init.normal_(model.head.weight, std=0.02)
    torch.nn.init.zeros_(model.head.bias)
    return model, tok_path, pooling


def round_fp16(model):
    m = copy.deepcopy(model)
    with torch.no_grad():
        for p in m.parameters():
            if p.numel() >= 4096:
                p.copy_(p.half().float())
    return m


def write_model_dir(model, out, tok_path, pooling, cfg, data, version, result, run_dir, log):
    from finsent import export
    os.makedirs(out, exist_ok=True)
    va, te = data.split["validation"], data.split["test"]
    groups, report = export.choose_fp16_groups(model, va[0], te[0], log)  # predictions only, no labels
    result["fp16_check"] = report
    info = export.export(model, os.path.join(out, "model.onnx"), groups)
    result["export"] = info
    shutil.copyfile(tok_path, os.path.join(out, "tokenizer.json"))
    config = {"name": "finsent-sentiment", "version": version,
              "labels": {"0": "negative", "1": "neutral", "2": "positive"},
              "max_position_embeddings": cfg["max_pos"], "position_scheme": "absolute",
              "window_length": cfg["max_pos"], "pooling": pooling,
              "outputs": {"logits": "logits", "embedding": "embedding", "hidden_states": None}}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    # torch float32 reference outputs + token ids, to check the ONNX file with ONNX Runtime
    lg_va, em_va = core.predict(model, va[0], "cpu")
    lg_te, em_te = core.predict(model, te[0], "cpu")
    np.savez_compressed(os.path.join(run_dir, "reference.npz"), logits_validation=lg_va.numpy(),
                        logits_test=lg_te.numpy(), embedding_validation=em_va.numpy(),
                        embedding_test=em_te.numpy())
    log(f"wrote {out}: model.onnx {info['bytes'] / 1e6:.1f} MB, {info['fp16_initializers']} fp16 initializers")


def main(argv=None):
    args = get_args(argv)
    torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    name = f"{args.base}_lr{args.lr:g}_e{args.epochs}_s{args.seed}"
    run_dir = args.run_dir or os.path.join(core.HERE, ".cache", "runs", name)
    os.makedirs(run_dir, exist_ok=True)
    logf = open(os.path.join(run_dir, "train.log"), "a")

    def log(msg):
        line = time.strftime("%H:%M:%S ") + str(msg)
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    log(f"args {vars(args)} device {device} torch {torch.__version__}")
    t_start = time.time()
    core.seed_all(args.seed)
    model, tok_path, pooling = build_model(args)
    tok = WordPieceTokenizer(tok_path)
    lut = np.load(args.id_map) if args.id_map else None
    data = Data(tok, args.max_len, lut, args.limit)
    tr, va, te = data.split["train"], data.split["validation"], data.split["test"]
    cfg = model.bert.config
    result = {"args": vars(args), "device": device, "torch": torch.__version__, "pooling": pooling,
              "coordinates": bases.coordinates(args.base), "encoder": cfg,
              "flops_per_token": flops_per_token(cfg["layers"], cfg["hidden"], cfg["inter"]),
              "flops_per_token_bert_base": flops_per_token(12, 768, 3072)}

    if args.baseline:
        log("frozen-encoder + logistic-regression baseline")
        _, etr = core.predict(model.to(device), tr[0], device)
        _, eva = core.predict(model, va[0], device)
        C, fn, table = core.logreg(etr, tr[1], eva, va[1])
        result["baseline_lr"] = {"C": C, "C_grid": table,
                                 "validation": core.metrics(fn(eva), va[1], va[2])}
        if args.test:
            _, ete = core.predict(model, te[0], device)
            result["baseline_lr"]["test"] = core.metrics(fn(ete), te[1], te[2])
        log(f"baseline {json.dumps({k: v for k, v in result['baseline_lr'].items() if k != 'C_grid'})[:600]}")

    if args.from_checkpoint:
        ck = torch.load(args.from_checkpoint, map_location="cpu")
        model.load_state_dict(ck["state_dict"])
        model.to(device)
        result["from_checkpoint"] = {"path": args.from_checkpoint, "trained_with": ck["args"]}
        log(f"loaded {args.from_checkpoint} (trained with {ck['args']})")
    else:
        hist = core.finetune(model, tr[0], tr[1], va[0], va[1], va[2], lr=args.lr, epochs=args.epochs,
                             batch=args.batch, seed=args.seed, warmup=args.warmup, wd=args.wd,
                             device=device, llrd=args.llrd, log=log,
                             freeze_word_emb=args.freeze_word_emb)
        result["history"] = hist
    result["train_seconds"] = time.time() - t_start
    lg_va, _ = core.predict(model, va[0], device)
    model = model.cpu().eval()
    result["validation"] = core.metrics(lg_va.argmax(-1).numpy(), va[1], va[2])
    l16_va, _ = core.predict(round_fp16(model).to(device), va[0], device)
    result["fp16_val"] = {"max_abs_logit_diff": float((lg_va - l16_va).abs().max()),
                          "prediction_changes": int((lg_va.argmax(-1) != l16_va.argmax(-1)).sum())}
    log(f"final validation acc {result['validation']['accuracy']:.4f} macroF1 {result['validation']['macro_f1']:.4f}")

    if (device == "cpu" or args.out) and not args.from_checkpoint:
        torch.save({"state_dict": model.state_dict(), "config": cfg, "pooling": pooling, "args": vars(args)},
                   os.path.join(run_dir, "model.pt"))
    if args.out:
        write_model_dir(model, args.out, tok_path, pooling, cfg, data, args.version, result, run_dir, log)
    if args.test:
        lg_te, _ = core.predict(model, te[0], "cpu")
        result["test"] = core.metrics(lg_te.argmax(-1).numpy(), te[1], te[2])
        log(f"TEST acc {result['test']['accuracy']:.4f} macroF1 {result['test']['macro_f1']:.4f} "
            f"allagree {result['test']['allagree_accuracy']:.4f}")
    result["total_seconds"] = time.time() - t_start
    with open(os.path.join(run_dir, "metrics.json"), "w") as f:
        json.dump(result, f, indent=1)
    log(f"done in {result['total_seconds']:.0f}s -> {run_dir}/metrics.json")
    return result


if __name__ == "__main__":
    main()
