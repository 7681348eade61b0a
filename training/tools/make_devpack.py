#!/usr/bin/python3
"""Build a shrunken copy of a base for the GPU machine (see finsent/devpack.py):
training/.cache/devpack/<base>/{model.onnx,tokenizer.json,idmap.npy}."""
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from finsent import bases, core, devpack  # noqa: E402
from finsent.wordpiece import WordPieceTokenizer  # noqa: E402

for base in sys.argv[1:]:
    onnx_path, tok_path = bases.fetch(base)
    tok = WordPieceTokenizer(tok_path)
    ids = set(range(0, 104))
    for r in core.load_fpb():
        ids.update(tok.encode(r["sentence"]))
    out = os.path.join(bases.CACHE, "devpack", base)
    os.makedirs(out, exist_ok=True)
    keep = devpack.make_pack(onnx_path, os.path.join(out, "model.onnx"), sorted(ids))
    np.save(os.path.join(out, "idmap.npy"), devpack.id_remap(keep, len(tok.vocab), tok.unk_id))
    shutil.copyfile(tok_path, os.path.join(out, "tokenizer.json"))
    print(base, len(keep), "ids kept", os.path.getsize(os.path.join(out, "model.onnx")) / 2**20, "MiB")
