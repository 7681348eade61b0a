"""Shrink a base ONNX graph so it can travel to the GPU machine (64 MiB limit per call):
word-embedding rows restricted to the token ids FPB uses, large initializers stored as
float16 behind Cast nodes. The graph stays runnable by ONNX Runtime (feed remapped ids) and
loadable by bert.load_from_onnx. Used only for the GPU hyper-parameter search and the
ONNX Runtime parity check; the shipped model is trained from the original fp32 graph."""
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def make_pack(src, dst, keep_ids):
    m = onnx.load(src)
    g = m.graph
    keep_ids = np.asarray(sorted(set(int(i) for i in keep_ids)), dtype=np.int64)
    new_inits, casts = [], []
    for init in g.initializer:
        a = numpy_helper.to_array(init)
        if init.name == "embeddings.word_embeddings.weight":
            a = a[keep_ids]
        if a.dtype == np.float32 and a.size >= 4096:
            new_inits.append(numpy_helper.from_array(a.astype(np.float16), init.name + "_fp16"))
            casts.append(helper.make_node("Cast", [init.name + "_fp16"], [init.name], to=TensorProto.FLOAT,
                                          name="Cast_" + init.name))
        else:
            new_inits.append(numpy_helper.from_array(a, init.name))
    del g.initializer[:]
    g.initializer.extend(new_inits)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)
    onnx.save(m, dst)
    return keep_ids


def id_remap(keep_ids, vocab_size, unk_id=100):
    lut = np.full(vocab_size, -1, dtype=np.int64)
    lut[keep_ids] = np.arange(len(keep_ids))
    lut[lut < 0] = lut[unk_id]
    return lut
