"""ONNX export of the fine-tuned classifier: inputs input_ids/attention_mask/token_type_ids
(int64, dynamic batch+sequence), outputs logits [batch,3] and embedding [batch,hidden], opset 14,
eval mode (no dropout). Weight storage: float16 + Cast-to-float32 nodes where that changes no
prediction on validation+test and keeps every logit within 5e-3 of the float32 model; tensor
groups that break this stay float32 (most sensitive first) as long as the file fits in 100 MB."""
import copy
import hashlib
import os

import numpy as np
import torch

from . import core

TOL = 5e-3
MAX_BYTES = 100 * 1000 * 1000


class _Wrapper(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.model(input_ids, attention_mask, token_type_ids)


def _group(name):
    # model.bert.layers.<i>.*  -> "layer<i>", embeddings -> "embeddings", others -> name
    parts = name.split(".")
    if "layers" in parts:
        return "layer" + parts[parts.index("layers") + 1]
    if parts[-2] in ("word", "pos", "tok_type"):
        return "embeddings"
    return name


def _rounded(model, groups):
    m = copy.deepcopy(model)
    with torch.no_grad():
        for n, p in m.named_parameters():
            if p.numel() >= 4096 and _group(n) in groups:
                p.copy_(p.half().float())
    return m


def _bytes(model, fp16_groups):
    return sum(p.numel() * (2 if p.numel() >= 4096 and _group(n) in fp16_groups else 4)
               for n, p in model.named_parameters()) + 200_000


def _logits(model, seqs):
    lg, _ = core.predict(model, seqs, "cpu")
    return lg


def choose_fp16_groups(model, va_seqs, te_seqs, log=print):
    """Returns (groups stored as fp16, report)."""
    model = model.cpu().eval()
    seqs = va_seqs + te_seqs
    ref = _logits(model, seqs)
    all_groups = sorted({_group(n) for n, p in model.named_parameters() if p.numel() >= 4096})

    def check(groups):
        lg = _logits(_rounded(model, groups), seqs)
        return float((lg - ref).abs().max()), int((lg.argmax(-1) != ref.argmax(-1)).sum())

    d, flips = check(set(all_groups))
    report = {"all_fp16": {"max_abs_logit_diff": d, "prediction_changes": flips}}
    log(f"fp16 (all weights): max|dlogit| {d:.2e}, prediction changes {flips}")
    if d <= TOL and flips == 0:
        report["fp32_groups"] = []
        report["final"] = report["all_fp16"]
        return set(all_groups), report
    # sensitivity of each group alone, on validation (cheap proxy)
    ref_va = ref[: len(va_seqs)]
    sens = {}
    for g in all_groups:
        lg = _logits(_rounded(model, {g}), va_seqs)
        sens[g] = float((lg - ref_va).abs().max())
    report["sensitivity_val"] = sens
    order = sorted(all_groups, key=lambda g: -sens[g])
    log("fp16 sensitivity (val, one group at a time): " + ", ".join(f"{g} {sens[g]:.1e}" for g in order))
    keep32 = []
    fp16 = set(all_groups)
    for g in order:
        if g == "embeddings":
            continue  # the vocabulary matrix alone is 47 MB in fp32: cannot be afforded
        if _bytes(model, fp16 - {g}) > MAX_BYTES:
            log(f"  keeping {g} in fp32 too would exceed {MAX_BYTES / 1e6:.0f} MB: stop")
            break
        keep32.append(g)
        fp16.discard(g)
        d, flips = check(fp16)
        log(f"  keep fp32 {keep32}: max|dlogit| {d:.2e}, prediction changes {flips}")
        if d <= TOL and flips == 0:
            break
    report["fp32_groups"] = keep32
    report["final"] = {"max_abs_logit_diff": d, "prediction_changes": flips,
                       "passes": bool(d <= TOL and flips == 0)}
    if not report["final"]["passes"]:
        log("WARNING: no fp16/fp32 mix within the size limit meets the tolerance")
    return fp16, report


def export(model, path, fp16_groups, opset=14):
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    model = copy.deepcopy(model).cpu().eval()
    ids = torch.tensor([[101, 2023, 2003, 1037, 3231, 102], [101, 2023, 102, 0, 0, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    tt = torch.zeros_like(ids)
    dyn = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
           "token_type_ids": {0: "batch", 1: "sequence"}, "logits": {0: "batch"}, "embedding": {0: "batch"}}
    torch.onnx.export(_Wrapper(model), (ids, mask, tt), path,
                      input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["logits", "embedding"], dynamic_axes=dyn, opset_version=opset,
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    # map initializers back to parameters (by value; Linear weights appear transposed)
    by_hash = {}
    for n, p in model.named_parameters():
        a = p.detach().numpy()
        for v in (a, np.ascontiguousarray(a.T)):
            by_hash[hashlib.sha1(v.tobytes()).hexdigest() + str(v.shape)] = n
    m = onnx.load(path)
    g = m.graph
    new, casts, n16 = [], [], 0
    for init in g.initializer:
        a = numpy_helper.to_array(init)
        pname = by_hash.get(hashlib.sha1(np.ascontiguousarray(a).tobytes()).hexdigest() + str(a.shape))
        if a.dtype == np.float32 and a.size >= 4096 and pname is not None and _group(pname) in fp16_groups:
            new.append(numpy_helper.from_array(a.astype(np.float16), init.name + "_fp16"))
            casts.append(helper.make_node("Cast", [init.name + "_fp16"], [init.name], to=TensorProto.FLOAT,
                                          name="Cast_fp16_" + init.name.replace(":", "_")))
            n16 += 1
        else:
            new.append(init)
    del g.initializer[:]
    g.initializer.extend(new)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)
    m.producer_name = "finsent-training"
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return {"fp16_initializers": n16, "bytes": os.path.getsize(path), "opset": opset}
