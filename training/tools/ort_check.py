#!/usr/bin/python3
"""On the GPU machine (it has onnxruntime): run the exported model (vocab-cut copy from
make_ortcheck.py) with ONNX Runtime on validation+test and compare with the torch float32
reference of the same weights; check the I/O signature; HF `tokenizers` vs our WordPiece."""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)
from finsent import core  # noqa: E402
from finsent.wordpiece import WordPieceTokenizer  # noqa: E402
from tools.gpu_search import check_tokenizer  # noqa: E402

import onnxruntime as ort  # noqa: E402
import onnx  # noqa: E402

d = os.path.join(HERE, ".cache", "ortcheck")
out = sys.argv[1]
rep = {"ort": ort.__version__}
m = onnx.load(os.path.join(d, "model.onnx"))
rep["opset"] = [(o.domain, o.version) for o in m.opset_import]


def sig(vs):
    return [(v.name, v.type.tensor_type.elem_type,
             [x.dim_param or x.dim_value for x in v.type.tensor_type.shape.dim]) for v in vs]


rep["inputs"], rep["outputs"] = sig(m.graph.input), sig(m.graph.output)
rep["node_ops"] = sorted({n.op_type for n in m.graph.node})
sess = ort.InferenceSession(os.path.join(d, "model.onnx"), providers=["CPUExecutionProvider"])
tok = WordPieceTokenizer(os.path.join(d, "tokenizer.json"))
lut = np.load(os.path.join(d, "idmap.npy"))
ref = np.load(os.path.join(d, "reference.npz"))
rows = core.load_fpb()
for split in ("validation", "test"):
    rs = [r for r in rows if r["split"] == split]
    seqs = [[int(lut[i]) for i in tok.encode(r["sentence"])] for r in rs]
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    lg = np.zeros((len(seqs), 3), np.float32)
    em = np.zeros((len(seqs), ref["embedding_" + split].shape[1]), np.float32)
    for b in range(0, len(order), 16):
        ii = order[b: b + 16]
        ids, mask = core.pad([seqs[i] for i in ii])
        o = sess.run(["logits", "embedding"], {"input_ids": ids.numpy(), "attention_mask": mask.numpy(),
                                               "token_type_ids": np.zeros_like(ids.numpy())})
        lg[ii], em[ii] = o[0], o[1]
    # batch of 1, unpadded, for a few sentences: padding must not matter
    single = max(float(np.abs(sess.run(["logits"], {"input_ids": np.array([seqs[i]]), "attention_mask": np.ones((1, len(seqs[i])), np.int64),
                                                    "token_type_ids": np.zeros((1, len(seqs[i])), np.int64)})[0][0] - lg[i]).max())
                 for i in range(0, len(seqs), 25))
    r = ref["logits_" + split]
    gold = [x["label"] for x in rs]
    rep[split] = {"max_abs_logit_diff_vs_torch_fp32": float(np.abs(lg - r).max()),
                  "max_abs_embedding_diff": float(np.abs(em - ref["embedding_" + split]).max()),
                  "prediction_changes_vs_torch_fp32": int((lg.argmax(-1) != r.argmax(-1)).sum()),
                  "max_abs_logit_diff_batch1_vs_padded": single,
                  "ort_metrics": core.metrics(lg.argmax(-1), gold, [x["agreement"] for x in rs])}
    print(split, {k: v for k, v in rep[split].items() if k != "ort_metrics"},
          "acc", rep[split]["ort_metrics"]["accuracy"], "F1", rep[split]["ort_metrics"]["macro_f1"], flush=True)
rep["tokenizer_check"] = check_tokenizer(os.path.join(d, "tokenizer.json"), print)
print(json.dumps({k: rep[k] for k in ("opset", "inputs", "outputs")}))
with open(os.path.join(out, "ort_check.json"), "w") as f:
    json.dump(rep, f, indent=1)
