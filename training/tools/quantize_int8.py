"""Static int8 (QDQ) version of models/finsent-sentiment -> models/finsent-sentiment-int8.

Debian packages only (python3-onnx, numpy) + ONNX Runtime through Java (training/tools/java/Int8Tool.java, the
onnxruntime 1.29.0 jar from Maven Central), since there is no onnxruntime python package here.

    /usr/bin/python3 training/tools/quantize_int8.py all          # = prepare stats search build check card

Steps (each a subcommand; files go to training/.cache/int8/ unless said otherwise):
  prepare  tokenize the sets (calibration = FPB train + tweet train only), write the calibration graph
  stats    Java: per-tensor min/max and tail quantiles of every MatMul input over the calibration texts
  search   for each candidate (range tail x attention quantized or not), quantize and score it on the VALIDATION
           sets only (FPB validation, tweet validation) against the float model; pick the best
  build    write models/finsent-sentiment-int8/ (model.onnx, tokenizer.json, config.json) with the chosen candidate
  check    Java: batch invariance (fp32 + int8), FPB test accuracy (report only), tweet-validation disagreement,
           texts/s batch 32 on 1,000 FPB sentences + 1,000 tweets, ORT profiles -> training/runs/int8/metrics.json
  card     models/finsent-sentiment-int8/MODEL_CARD.md from metrics.json
"""
import argparse
import collections
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
TRAINING = os.path.dirname(HERE)
REPO = os.path.dirname(TRAINING)
sys.path.insert(0, TRAINING)

from finsent import core, qdq, tweets  # noqa: E402
from finsent.wordpiece import WordPieceTokenizer  # noqa: E402

SRC = os.path.join(REPO, "models", "finsent-sentiment")
DST = os.path.join(REPO, "models", "finsent-sentiment-int8")
WORK = os.path.join(TRAINING, ".cache", "int8")
RUNS = os.path.join(TRAINING, "runs", "int8")
JAVA_SRC = os.path.join(HERE, "java", "Int8Tool.java")
M2_JAR = os.path.expanduser("~/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.29.0/onnxruntime-1.29.0.jar")
CALIB_PER_SOURCE = 1000
TAILS = ["100", "99_9999", "99_999", "99_99", "99_9"]  # "100" = min/max


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def stable_order(rows, key):
    return sorted(rows, key=lambda r: hashlib.sha256(r[key].encode("utf-8")).hexdigest())


# ------------------------------------------------------------------------------------------------------------ java

def java_classes(args):
    jar = args.ort_jar or (M2_JAR if os.path.exists(M2_JAR) else "/tmp/ort.jar")
    if not os.path.exists(jar):
        raise SystemExit(f"onnxruntime jar not found ({jar}); pass --ort-jar")
    cls = os.path.join(args.classes, "Int8Tool.class")
    if not os.path.exists(cls) or os.path.getmtime(cls) < os.path.getmtime(JAVA_SRC):
        os.makedirs(args.classes, exist_ok=True)
        subprocess.run(["javac", "-d", args.classes, "-cp", jar, JAVA_SRC], check=True)
    return jar + os.pathsep + args.classes


def java(args, *tool_args, capture=False):
    cmd = ["nice", "-n", str(args.nice), "java", "-Xmx6g", f"-Dthreads={args.threads}", "-cp", java_classes(args),
           "Int8Tool", *map(str, tool_args)]
    log("$", " ".join(cmd))
    r = subprocess.run(cmd, check=True, text=True, stdout=subprocess.PIPE if capture else None)
    return r.stdout if capture else None


def read_outputs(path, n, classes=3, hidden=384):
    a = np.fromfile(path, dtype=">f4").astype(np.float32).reshape(n, classes + hidden)
    return a[:, :classes], a[:, classes:]


# --------------------------------------------------------------------------------------------------------- prepare

def write_ids(path, seqs):
    with open(path, "w") as f:
        for s in seqs:
            f.write(" ".join(map(str, s)) + "\n")


def sets():
    """name -> (texts, labels). Calibration uses training rows only."""
    fpb = core.load_fpb()
    tw_train, tw_val = tweets.split()
    fpb_train = [r for r in fpb if r["split"] == "train"]
    calib = ([r["sentence"] for r in stable_order(fpb_train, "id")[:CALIB_PER_SOURCE]]
             + [r["text"] for r in stable_order(tw_train, "id")[:CALIB_PER_SOURCE]])
    out = {
        "calib": (calib, None),
        "fpb_val": ([r["sentence"] for r in fpb if r["split"] == "validation"],
                    [r["label"] for r in fpb if r["split"] == "validation"]),
        "fpb_test": ([r["sentence"] for r in fpb if r["split"] == "test"],
                     [r["label"] for r in fpb if r["split"] == "test"]),
        "tw_val": ([r["text"] for r in tw_val], [r["label"] for r in tw_val]),
        # speed: 1,000 FPB train sentences and 1,000 validation tweets, file order
        "bench_fpb": ([r["sentence"] for r in fpb_train[:1000]], None),
        "bench_tw": ([r["text"] for r in tw_val[:1000]], None),
    }
    # batch invariance: FPB validation sentences and validation tweets, alternating (mixed lengths); every 8th text
    # is a long one (validation sentences joined, ~90 to 512 tokens)
    inv = []
    for a, b in zip(out["fpb_val"][0][:32], out["tw_val"][0][:32]):
        inv += [a, b]
    pool = out["fpb_val"][0][100:]
    for k, words in enumerate((60, 90, 120, 160, 210, 270, 330, 420)):
        text, i = "", 0
        while len(text.split()) < words:
            text += " " + pool[(k * 37 + i) % len(pool)]
            i += 1
        inv[8 * k + 3] = text.strip()
    out["inv"] = (inv, None)
    return out


def cmd_prepare(args):
    os.makedirs(WORK, exist_ok=True)
    tok = WordPieceTokenizer(os.path.join(SRC, "tokenizer.json"))
    meta = {}
    for name, (texts, labels) in sets().items():
        seqs = [tok.encode(t, 512) for t in texts]
        write_ids(os.path.join(WORK, name + ".ids"), seqs)
        if labels is not None:
            np.save(os.path.join(WORK, name + ".labels.npy"), np.array(labels))
        lens = [len(s) for s in seqs]
        meta[name] = dict(texts=len(seqs), tokens_mean=round(float(np.mean(lens)), 1), tokens_max=max(lens))
        log(f"{name}: {len(seqs)} texts, tokens mean {np.mean(lens):.1f} max {max(lens)}")
    model = onnx.load(os.path.join(SRC, "model.onnx"))
    tensors = qdq.activation_tensors(model, attention=True)
    with open(os.path.join(WORK, "tensors.txt"), "w") as f:
        f.write("\n".join(tensors) + "\n")
    onnx.save(qdq.calibration_graph(model, tensors), os.path.join(WORK, "calib.onnx"))
    with open(os.path.join(WORK, "sets.json"), "w") as f:
        json.dump(meta, f, indent=1)
    log(f"calibration graph: {len(tensors)} extra outputs -> {WORK}/calib.onnx")


def cmd_stats(args):
    t0 = time.time()
    java(args, "stats", os.path.join(WORK, "calib.onnx"), os.path.join(WORK, "calib.ids"),
         os.path.join(WORK, "tensors.txt"), os.path.join(WORK, "stats.json"))
    with open(os.path.join(WORK, "stats.json")) as f:
        st = json.load(f)
    st["seconds"] = round(time.time() - t0, 1)
    with open(os.path.join(WORK, "stats.json"), "w") as f:
        json.dump(st, f, indent=1)


# ---------------------------------------------------------------------------------------------------------- search

def ranges_for(stats, tail):
    out = {}
    for name, s in stats["tensors"].items():
        if tail == "100":
            out[name] = (s["min"], s["max"])
        else:
            out[name] = (s["lo_" + tail], s["hi_" + tail])
    return out


def build_model(stats, cand, path):
    model = onnx.load(os.path.join(SRC, "model.onnx"))
    skip = tuple(tuple(x) if isinstance(x, list) else x for x in cand.get("skip", ()))
    chs = {k: (np.array(v["ch_min"], np.float32), np.array(v["ch_max"], np.float32))
           for k, v in stats["tensors"].items() if v.get("ch_min")}
    qm, summary = qdq.quantize(model, ranges_for(stats, cand["tail"]), attention=cand["attention"],
                               smooth=cand.get("smooth"), channel_stats=chs,
                               per_channel=cand.get("per_channel", True), skip=skip,
                               weights_only=cand.get("weights_only", False))
    onnx.save(qm, path)
    summary["bytes"] = os.path.getsize(path)
    return summary


def score(ref, got, labels):
    (rl, re), (gl, ge) = ref, got
    rp, gp = rl.argmax(1), gl.argmax(1)
    cos = (re * ge).sum(1) / (np.linalg.norm(re, axis=1) * np.linalg.norm(ge, axis=1))
    return dict(acc_fp32=float((rp == labels).mean()), acc=float((gp == labels).mean()),
                disagreement=float((rp != gp).mean()), changed=int((rp != gp).sum()),
                max_abs_dlogit=float(np.abs(rl - gl).max()), mean_abs_dlogit=float(np.abs(rl - gl).mean()),
                min_emb_cos=float(cos.min()), mean_emb_cos=float(cos.mean()))


def run_set(args, model, name, tag):
    n = sum(1 for _ in open(os.path.join(WORK, name + ".ids")))
    out = os.path.join(WORK, f"{tag}.{name}.bin")
    java(args, "run", model, os.path.join(WORK, name + ".ids"), out, 32)
    return read_outputs(out, n)


def fp32_outputs(args, name):
    path = os.path.join(WORK, f"fp32.{name}.bin")
    if not os.path.exists(path):
        run_set(args, os.path.join(SRC, "model.onnx"), name, "fp32")
    n = sum(1 for _ in open(os.path.join(WORK, name + ".ids")))
    return read_outputs(path, n)


def candidates():
    """Weight MatMuls with per-tensor ranges from each tail; then SmoothQuant (alpha 0.8, 0.9: the smoothed tensors'
    ranges are their min/max), and alpha 0.8 with the attention MatMuls quantized too (99.999% ranges)."""
    out = [dict(tail=tail, attention=False, per_channel=True) for tail in TAILS]
    out += [dict(tail="99_999", attention=False, per_channel=True, smooth=a) for a in (0.8, 0.9)]
    out.append(dict(tail="99_999", attention=True, per_channel=True, smooth=0.8))
    return out


def cmd_search(args):
    with open(os.path.join(WORK, "stats.json")) as f:
        stats = json.load(f)
    val = ("fpb_val", "tw_val")
    ref = {s: fp32_outputs(args, s) for s in val}
    labels = {s: np.load(os.path.join(WORK, s + ".labels.npy")) for s in val}
    path = os.path.join(WORK, "search.json")
    results = json.load(open(path)) if os.path.exists(path) and not args.fresh else []
    done = {json.dumps(r["candidate"], sort_keys=True) for r in results}
    cands = [json.loads(c) for c in args.candidates] if args.candidates else candidates()
    for cand in cands:
        key = json.dumps(cand, sort_keys=True)
        if key in done:
            continue
        t0 = time.time()
        mpath = os.path.join(WORK, "cand.onnx")
        summary = build_model(stats, cand, mpath)
        res = dict(candidate=cand, summary=summary)
        for s in val:
            res[s] = score(ref[s], run_set(args, mpath, s, "cand"), labels[s])
        res["seconds"] = round(time.time() - t0, 1)
        log(json.dumps(res))
        results.append(res)
        with open(path, "w") as f:
            json.dump(results, f, indent=1)
    best = choose(results)
    log("chosen:", json.dumps(best["candidate"]))


def choose(results):
    """Fewest prediction changes vs float on the two validation sets, then smallest mean |dlogit| (FPB val)."""
    return min(results, key=lambda r: (r["fpb_val"]["changed"] + r["tw_val"]["changed"],
                                       r["fpb_val"]["mean_abs_dlogit"] + r["tw_val"]["mean_abs_dlogit"]))


# ----------------------------------------------------------------------------------------------------------- build

def cmd_build(args):
    with open(os.path.join(WORK, "stats.json")) as f:
        stats = json.load(f)
    if args.candidate:
        cand = json.loads(args.candidate)
    else:
        cand = choose(json.load(open(os.path.join(WORK, "search.json"))))["candidate"]
    os.makedirs(DST, exist_ok=True)
    summary = build_model(stats, cand, os.path.join(DST, "model.onnx"))
    shutil.copyfile(os.path.join(SRC, "tokenizer.json"), os.path.join(DST, "tokenizer.json"))
    with open(os.path.join(SRC, "config.json")) as f:
        cfg = json.load(f)
    cfg["name"] = "finsent-sentiment-int8"
    with open(os.path.join(DST, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    with open(os.path.join(WORK, "build.json"), "w") as f:
        json.dump(dict(candidate=cand, summary=summary), f, indent=1)
    log("built", DST, json.dumps(cand), json.dumps(summary))


# ----------------------------------------------------------------------------------------------------------- check

def op_split(profile_json):
    """Per-operator share of node time in one ORT profile (kernel run events only)."""
    with open(profile_json) as f:
        events = json.load(f)
    by_op = collections.Counter()
    for e in events:
        if e.get("cat") == "Node" and e.get("name", "").endswith("_kernel_time"):
            by_op[e["args"]["op_name"]] += e["dur"]
    total = sum(by_op.values())
    return dict(total_ms=round(total / 1000, 1),
                ops={k: dict(ms=round(v / 1000, 1), share=round(v / total, 4)) for k, v in by_op.most_common()})


def speed_notes(prof):
    def ms(tag, ops):
        return sum(v["ms"] for k, v in prof[tag]["ops"].items() if k in ops)
    mm = {"MatMul", "FusedMatMul", "Gemm", "MatMulIntegerToFloat", "QLinearMatMul"}
    qo = {"QuantizeLinear", "Mul"}
    f_tot, i_tot = prof["fp32"]["total_ms"], prof["int8"]["total_ms"]
    f_mm, i_mm, i_q = ms("fp32", mm), ms("int8", mm), ms("int8", qo)
    f_rest, i_rest = f_tot - f_mm - ms("fp32", qo), i_tot - i_mm - i_q
    return [
        f"Profile summary: the float graph spends {f_mm:.0f} of {f_tot:.0f} ms ({f_mm / f_tot:.0%}) in MatMul/Gemm "
        f"kernels; the int8 graph {i_mm:.0f} ms in its MatMuls (integer + the float attention MatMuls and head), "
        f"{i_q:.0f} ms quantizing (QuantizeLinear + the SmoothQuant Muls). The kernels that stay float (LayerNorm, "
        f"BiasGelu, Softmax, Add, Transpose, ...) take {f_rest:.0f} ms (float graph) / {i_rest:.0f} ms (int8 graph). "
        f"With free MatMuls the float graph could get at most {f_tot / f_rest:.2f}× faster; with MatMuls 4× faster "
        f"(the u8·s8 VNNI vs fp32 FMA peak ratio) at most {f_tot / (f_rest + f_mm / 4):.2f}×. Measured, the integer "
        f"MatMuls (quantization included) run {f_mm / max(i_mm + i_q, 1e-9):.2f}× faster than the float ones."]


def optimized_ops(args, model, tag):
    out = os.path.join(WORK, f"optimized.{tag}.onnx")
    java(args, "optimized", model, out)
    m = onnx.load(out, load_external_data=False)
    return dict(collections.Counter(n.op_type for n in m.graph.node).most_common())


def run_bench(args, fp32, int8):
    """texts/s batch 32, fp32 and int8 interleaved per round; speed-up = median over rounds of the per-round ratio."""
    out = os.path.join(WORK, "bench.json")
    java(args, "bench", out, args.rounds, os.path.join(WORK, "bench_fpb.ids") + "," + os.path.join(WORK, "bench_tw.ids"),
         fp32, int8)
    bench = json.load(open(out))
    speed = {}
    for set_path, d in bench["sets"].items():
        name = os.path.basename(set_path).split(".")[0]
        sec = {("fp32" if m == fp32 else "int8"): v for m, v in d["seconds"].items()}
        ratios = [a / b for a, b in zip(sec["fp32"], sec["int8"])]
        speed[name] = dict(texts=d["texts"], fp32_texts_per_s=round(d["texts"] / float(np.median(sec["fp32"])), 1),
                           int8_texts_per_s=round(d["texts"] / float(np.median(sec["int8"])), 1),
                           speedup=round(float(np.median(ratios)), 2), speedup_per_round=[round(r, 2) for r in ratios],
                           seconds=sec)
        log(name, json.dumps(speed[name]))
    return dict(batch=32, rounds=args.rounds, statistic="texts/s: median of rounds; speed-up: median of the per-round "
                "fp32/int8 time ratios", load_average_before=os.getloadavg()[0], sets=speed)


def cmd_bench(args):
    """Re-run only the benchmark and replace metrics.json's speed figures."""
    path = os.path.join(RUNS, "metrics.json")
    metrics = json.load(open(path))
    metrics["speed"] = run_bench(args, os.path.join(SRC, "model.onnx"), os.path.join(DST, "model.onnx"))
    with open(path, "w") as f:
        json.dump(metrics, f, indent=1)


def cmd_check(args):
    t_start = time.time()
    fp32, int8 = os.path.join(SRC, "model.onnx"), os.path.join(DST, "model.onnx")
    metrics = dict(json.load(open(os.path.join(WORK, "build.json"))))
    metrics["calibration"] = dict(texts=json.load(open(os.path.join(WORK, "stats.json")))["texts"],
                                  fpb_train=CALIB_PER_SOURCE, tweet_train=CALIB_PER_SOURCE,
                                  seconds=json.load(open(os.path.join(WORK, "stats.json"))).get("seconds"))
    metrics["sets"] = json.load(open(os.path.join(WORK, "sets.json")))
    metrics["search"] = json.load(open(os.path.join(WORK, "search.json")))
    metrics["search_seconds"] = round(sum(r.get("seconds", 0) for r in metrics["search"]), 1)
    metrics["ort"] = dict(version="1.29.0 (Java, CPU)", intra_op_threads=args.threads, inter_op_threads=1,
                          execution_mode="SEQUENTIAL", optimization_level="ALL_OPT", spinning=False)
    # accuracy / agreement: validation (used for the choice) and FPB test (report only)
    acc = {}
    for s in ("fpb_val", "tw_val", "fpb_test"):
        labels = np.load(os.path.join(WORK, s + ".labels.npy"))
        acc[s] = score(fp32_outputs(args, s), run_set(args, int8, s, "int8"), labels)
        log(s, json.dumps(acc[s]))
    metrics["accuracy"] = acc
    # batch invariance
    inv = {}
    for tag, model in (("fp32", fp32), ("int8", int8)):
        out = os.path.join(WORK, f"invariance.{tag}.json")
        java(args, "invariance", model, os.path.join(WORK, "inv.ids"), out)
        inv[tag] = json.load(open(out))
    metrics["batch_invariance"] = inv
    # which kernels ORT picked
    metrics["optimized_graph_ops"] = {tag: optimized_ops(args, m, tag) for tag, m in (("fp32", fp32), ("int8", int8))}
    metrics["speed"] = run_bench(args, fp32, int8)
    # profiles (one pass over the tweets, batch 32)
    prof = {}
    for tag, model in (("fp32", fp32), ("int8", int8)):
        for old in glob.glob(os.path.join(WORK, f"profile_{tag}*.json")):
            os.remove(old)
        path = java(args, "profile", model, os.path.join(WORK, "bench_fpb.ids"),
                    os.path.join(WORK, f"profile_{tag}"), capture=True).strip().splitlines()[-1]
        prof[tag] = op_split(path)
    metrics["profile_fpb_batch32"] = prof
    metrics["speed_notes"] = speed_notes(prof)
    metrics["check_seconds"] = round(time.time() - t_start, 1)
    metrics["model_bytes"] = dict(fp32=os.path.getsize(fp32), int8=os.path.getsize(int8))
    os.makedirs(RUNS, exist_ok=True)
    with open(os.path.join(RUNS, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    log("->", os.path.join(RUNS, "metrics.json"))


def cmd_card(args):
    from tools.int8_card import write_card
    path = os.path.join(RUNS, "metrics.json")
    metrics = json.load(open(path))
    metrics["speed_notes"] = speed_notes(metrics["profile_fpb_batch32"])
    with open(path, "w") as f:
        json.dump(metrics, f, indent=1)
    write_card(metrics, os.path.join(DST, "MODEL_CARD.md"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["prepare", "stats", "search", "build", "check", "bench", "card", "all"])
    ap.add_argument("--ort-jar", default=None, help=f"onnxruntime jar (default {M2_JAR}, else /tmp/ort.jar)")
    ap.add_argument("--classes", default="/tmp/int8tool", help="where Int8Tool.java is compiled to")
    ap.add_argument("--threads", type=int, default=2, help="ORT intra-op threads (the encoder service's default: 2)")
    ap.add_argument("--nice", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3, help="benchmark rounds (interleaved fp32/int8)")
    ap.add_argument("--candidates", nargs="*", help="search: JSON candidates instead of the default grid")
    ap.add_argument("--candidate", help="build: JSON candidate instead of the search's choice")
    ap.add_argument("--fresh", action="store_true", help="search: forget earlier results")
    args = ap.parse_args()
    sys.path.insert(0, TRAINING)
    steps = ["prepare", "stats", "search", "build", "check", "card"] if args.step == "all" else [args.step]
    for s in steps:
        t0 = time.time()
        globals()["cmd_" + s](args)
        log(f"step {s}: {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
