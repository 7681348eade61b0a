#!/usr/bin/python3
"""Merge the metrics.json of a training run with those of its --from-checkpoint export and
evaluation runs into one file. usage: merge_metrics.py OUT TRAIN_RUN EXPORT_RUN [EVAL_RUN]"""
import json
import sys

out, parts = sys.argv[1], [json.load(open(p)) for p in sys.argv[2:]]
m = dict(parts[0])
for p in parts[1:]:
    for k in ("fp16_check", "export", "test", "baseline_lr"):
        if k in p:
            m[k] = p[k]
    assert p["validation"]["accuracy"] == m["validation"]["accuracy"]
m["produced_by"] = [p["args"].get("run_dir") for p in parts]
json.dump(m, open(out, "w"), indent=1)
