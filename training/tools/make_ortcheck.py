#!/usr/bin/python3
"""Copy of a finished model directory small enough for the GPU machine (64 MiB per call):
the word-embedding matrix is cut to the token ids FPB uses (ids are remapped with idmap.npy);
everything else in the graph is untouched. Writes training/.cache/ortcheck/."""
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from finsent import bases, core  # noqa: E402
from finsent.devpack import id_remap  # noqa: E402
from finsent.wordpiece import WordPieceTokenizer  # noqa: E402

model_dir, run_dir = sys.argv[1], sys.argv[2]
out = os.path.join(bases.CACHE, "ortcheck")
os.makedirs(out, exist_ok=True)
tok = WordPieceTokenizer(os.path.join(model_dir, "tokenizer.json"))
ids = set(range(0, 104))
for r in core.load_fpb():
    ids.update(tok.encode(r["sentence"]))
keep = np.asarray(sorted(ids), dtype=np.int64)
m = onnx.load(os.path.join(model_dir, "model.onnx"))
done = False
for init in m.graph.initializer:
    if init.name.startswith("model.bert.word.weight"):
        a = numpy_helper.to_array(init)[keep]
        init.CopyFrom(numpy_helper.from_array(a, init.name))
        done = True
assert done
onnx.save(m, os.path.join(out, "model.onnx"))
np.save(os.path.join(out, "idmap.npy"), id_remap(keep, len(tok.vocab), tok.unk_id))
shutil.copyfile(os.path.join(model_dir, "tokenizer.json"), os.path.join(out, "tokenizer.json"))
shutil.copyfile(os.path.join(model_dir, "config.json"), os.path.join(out, "config.json"))
shutil.copyfile(os.path.join(run_dir, "reference.npz"), os.path.join(out, "reference.npz"))
print(out, os.path.getsize(os.path.join(out, "model.onnx")) / 2**20, "MiB")
