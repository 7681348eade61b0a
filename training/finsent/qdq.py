"""Static int8 QDQ insertion for the exported finsent BERT graph (onnx python API only, no onnxruntime).

* ``calibration_graph``: a copy of the float graph whose MatMul inputs are extra graph outputs (for the Java
  statistics tool, training/tools/java/Int8Tool.java).
* ``quantize``: QuantizeLinear/DequantizeLinear around MatMul inputs so that ONNX Runtime's CPU QDQ transformer fuses
  ``DQ(u8 activation) x DQ(s8 weight) -> MatMul`` into ``MatMulIntegerToFloat`` (float output, no requantisation):

  - weights: int8, symmetric (zero point 0), range [-127, 127], one scale per output column (``axis=1``) or per
    tensor; stored int8 directly, replacing the fp16 initializer and its Cast;
  - activations: uint8, asymmetric, one static scale/zero point per tensor from calibration statistics (the range
    always contains 0); a tensor feeding several MatMuls (q/k/v) is quantized once and gets one DQ per consumer;
  - optional SmoothQuant (``smooth=alpha``): a per-channel float Mul before each QuantizeLinear divides the outlier
    channels down, the weight rows are multiplied back (exact in real arithmetic);
  - optional: the attention MatMuls Q.K^T (both inputs activations; the 1/sqrt(d) Div is folded into Q's DQ scale)
    and P.V (P = softmax output, fixed range [0, 1]);
  - LayerNorm, Softmax, GELU/Erf, the bias Adds, the embeddings (fp16 + Cast) and the classification head (Gemm)
    stay float.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

WEIGHT_KINDS = ("q", "k", "v", "o", "fc1", "fc2")


def _layer_and_kind(node):
    """('3', 'fc1') for /model/bert/layers.3/fc1/MatMul, ('3', 'qk') / ('3', 'pv') for the attention MatMuls."""
    parts = node.name.split("/")
    layer = next((p.split(".")[1] for p in parts if p.startswith("layers.")), None)
    if layer is None:
        return None, None
    if len(parts) >= 2 and parts[-2] in WEIGHT_KINDS:
        return layer, parts[-2]
    if parts[-1] == "MatMul":
        return layer, "qk"
    if parts[-1] == "MatMul_1":
        return layer, "pv"
    return layer, None


def _maps(graph):
    inits = {i.name: i for i in graph.initializer}
    producer = {o: n for n in graph.node for o in n.output}
    return inits, producer


def _weight(graph, name, inits, producer):
    """(float32 array, Cast node or None, source initializer name) of a MatMul's B input."""
    if name in inits:
        return numpy_helper.to_array(inits[name]).astype(np.float32), None, name
    n = producer.get(name)
    if n is not None and n.op_type == "Cast" and n.input[0] in inits:
        return numpy_helper.to_array(inits[n.input[0]]).astype(np.float32), n, n.input[0]
    return None, None, None


def matmuls(model):
    """[(node, layer, kind, has_weight)] for every encoder MatMul."""
    inits, producer = _maps(model.graph)
    out = []
    for n in model.graph.node:
        if n.op_type != "MatMul":
            continue
        layer, kind = _layer_and_kind(n)
        w, _, _ = _weight(model.graph, n.input[1], inits, producer)
        out.append((n, layer, kind, w is not None))
    return out


def activation_tensors(model, attention=True):
    """Names of the float activations that feed MatMuls (in graph order, each once)."""
    seen = []
    for n, layer, kind, has_w in matmuls(model):
        names = [n.input[0]] if has_w else (list(n.input) if attention else [])
        for t in names:
            if t not in seen:
                seen.append(t)
    return seen


def calibration_graph(model, tensors):
    """A copy of ``model`` with ``tensors`` (float) added as graph outputs."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    have = {o.name for o in m.graph.output}
    for t in tensors:
        if t not in have:
            m.graph.output.append(helper.make_tensor_value_info(t, TensorProto.FLOAT, None))
    return m


def act_qparams(lo, hi):
    """uint8 asymmetric scale/zero point for the range [lo, hi] (widened to contain 0)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    if hi - lo < 1e-8:
        hi = lo + 1e-8
    scale = (hi - lo) / 255.0
    zp = int(np.clip(np.round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zp)


def weight_qparams(w, per_channel=True):
    """int8 symmetric quantisation of a [K, N] weight: (q int8 [K, N], scale float32 [N] or scalar)."""
    amax = np.abs(w).max(axis=0) if per_channel else np.abs(w).max()
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale


def _constant_div_after(graph, node):
    """(Div node, constant) when ``node``'s only consumer is a Div by a scalar constant, else None."""
    consumers = [n for n in graph.node if node.output[0] in n.input]
    if len(consumers) != 1 or consumers[0].op_type != "Div" or consumers[0].input[0] != node.output[0]:
        return None
    div = consumers[0]
    inits, producer = _maps(graph)
    src = div.input[1]
    if src in inits:
        c = numpy_helper.to_array(inits[src])
    elif src in producer and producer[src].op_type == "Constant":
        c = numpy_helper.to_array(producer[src].attribute[0].t)
    else:
        return None
    return (div, float(c)) if c.size == 1 else None


def quantize(model, ranges, *, attention=True, per_channel=True, skip=(), fold_attention_scale=True,
             weights_only=False, smooth=None, channel_stats=None):
    """A QDQ copy of ``model``.

    ranges: {activation tensor name: (lo, hi)} for every tensor in ``activation_tensors(model, attention)``
    (a softmax output feeding P.V always gets [0, 1]). skip: (layer, kind) pairs, or kinds, that stay float.
    smooth: SmoothQuant migration strength alpha (None = off). Needs channel_stats {tensor: (ch_min, ch_max)} over
    the last axis: an input channel j of X.W is divided by s_j = max|X_j|^alpha / max|W_j|^(1-alpha) (an
    elementwise Mul before the QuantizeLinear) and row j of every weight it feeds is multiplied by s_j; the
    activation range becomes [min_j ch_min_j/s_j, max_j ch_max_j/s_j] (float-exact rewrite, only the rounding moves).
    Returns (model, summary dict).
    """
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    inits, producer = _maps(g)
    new_nodes_before = {}  # id(node) -> [nodes to insert before it]
    new_inits = []
    quantized_act = {}  # tensor -> (q output name, scale name, zp name)
    dq_of = {}  # DQ output name -> DQ node
    remove_nodes = set()
    remove_inits = set()
    summary = dict(weight_matmuls=0, attention_matmuls=0, float_matmuls=0, per_channel=per_channel)
    counter = [0]

    def uid(prefix):
        counter[0] += 1
        return f"{prefix}_{counter[0]}"

    def quant_activation(t, before, lo_hi, consumer):
        if t not in quantized_act:
            src = t
            if t in smooth_s:
                sv = smooth_s[t]
                inv_name, t_s = t + "_smooth_inv", t + "_smoothed"
                new_inits.append(numpy_helper.from_array((1.0 / sv).astype(np.float32), inv_name))
                new_nodes_before.setdefault(id(before), []).append(
                    helper.make_node("Mul", [t, inv_name], [t_s], name=t + "/SmoothMul"))
                cmin, cmax = channel_stats[t]
                lo_hi = (float((cmin / sv).min()), float((cmax / sv).max()))
                src = t_s
            scale, zp = act_qparams(*lo_hi)
            s_name, z_name, q_name = t + "_qscale", t + "_qzp", t + "_quantized"
            new_inits.append(numpy_helper.from_array(np.array(scale, np.float32), s_name))
            new_inits.append(numpy_helper.from_array(np.array(zp, np.uint8), z_name))
            qn = helper.make_node("QuantizeLinear", [src, s_name, z_name], [q_name], name=uid(t + "/QuantizeLinear"))
            new_nodes_before.setdefault(id(before), []).append(qn)
            quantized_act[t] = (q_name, s_name, z_name)
        q_name, s_name, z_name = quantized_act[t]
        dq_out = uid(t + "_dequantized")
        dq = helper.make_node("DequantizeLinear", [q_name, s_name, z_name], [dq_out], name=dq_out + "/DQ")
        new_nodes_before.setdefault(id(consumer), []).append(dq)
        dq_of[dq_out] = dq
        return dq_out

    # SmoothQuant scales per activation tensor, shared by all the weight MatMuls it feeds
    smooth_s = {}
    if smooth is not None and not weights_only:
        groups = {}
        for n in g.node:
            if n.op_type != "MatMul":
                continue
            layer, kind = _layer_and_kind(n)
            if kind is None or (layer, kind) in skip or kind in skip:
                continue
            w, _, _ = _weight(g, n.input[1], inits, producer)
            if w is not None:
                groups.setdefault(n.input[0], []).append(w)
        for t, ws in groups.items():
            cmin, cmax = (np.asarray(a, np.float64) for a in channel_stats[t])
            ax = np.maximum(np.abs(cmin), np.abs(cmax))
            aw = np.max([np.abs(w).max(axis=1) for w in ws], axis=0)
            sv = np.where((ax > 0) & (aw > 0), ax ** smooth / np.maximum(aw, 1e-8) ** (1 - smooth), 1.0)
            smooth_s[t] = np.clip(sv, 1e-4, 1e4).astype(np.float32)
        summary["smoothed_activation_tensors"] = len(smooth_s)

    # the first consumer, in graph order, of every tensor (a Q node goes right before it)
    first_consumer = {}
    for n in g.node:
        for t in n.input:
            first_consumer.setdefault(t, n)

    for n in list(g.node):
        if n.op_type != "MatMul":
            continue
        layer, kind = _layer_and_kind(n)
        if kind is None or (layer, kind) in skip or kind in skip:
            summary["float_matmuls"] += 1
            continue
        w, cast, src = _weight(g, n.input[1], inits, producer)
        if w is None:
            if not attention:
                summary["float_matmuls"] += 1
                continue
            a, b = n.input
            ra = (0.0, 1.0) if kind == "pv" else ranges[a]
            n.input[0] = quant_activation(a, first_consumer[a], ra, n)
            n.input[1] = quant_activation(b, first_consumer[b], ranges[b], n)
            summary["attention_matmuls"] += 1
            if kind == "qk" and fold_attention_scale:
                div = _constant_div_after(g, n)
                if div is not None:
                    node_div, c = div
                    # Q.K^T / c == (Q / c).K^T: fold 1/c into the scale of Q's DequantizeLinear, drop the Div
                    dq = dq_of[n.input[0]]
                    s_new = dq.output[0] + "_scale_div"
                    s_old = next(i for i in new_inits if i.name == dq.input[1])
                    new_inits.append(numpy_helper.from_array(
                        (numpy_helper.to_array(s_old) / np.float32(c)).astype(np.float32), s_new))
                    dq.input[1] = s_new
                    for other in g.node:
                        for k, t in enumerate(other.input):
                            if t == node_div.output[0]:
                                other.input[k] = n.output[0]
                    remove_nodes.add(id(node_div))
                    summary["folded_attention_scales"] = summary.get("folded_attention_scales", 0) + 1
            continue
        x = n.input[0]
        if not weights_only:
            n.input[0] = quant_activation(x, first_consumer[x], ranges[x], n)
        if x in smooth_s:
            w = w * smooth_s[x][:, None]
        q, scale = weight_qparams(w, per_channel)
        base = src.replace("_fp16", "")
        q_name, s_name, z_name = base + "_int8", base + "_wscale", base + "_wzp"
        new_inits.append(numpy_helper.from_array(q, q_name))
        new_inits.append(numpy_helper.from_array(scale, s_name))
        new_inits.append(numpy_helper.from_array(np.zeros(scale.shape, np.int8), z_name))
        attrs = dict(axis=1) if per_channel else {}
        dq_out = base + "_dequantized"
        dq = helper.make_node("DequantizeLinear", [q_name, s_name, z_name], [dq_out], name=dq_out + "/DQ", **attrs)
        new_nodes_before.setdefault(id(n), []).append(dq)
        n.input[1] = dq_out
        if cast is not None:
            remove_nodes.add(id(cast))
        remove_inits.add(src)
        summary["weight_matmuls"] += 1

    # drop initializers / Casts no longer used by anything
    still_used = {t for n in g.node if id(n) not in remove_nodes for t in n.input}
    keep_inits = [i for i in g.initializer if not (i.name in remove_inits and i.name not in still_used)]
    nodes = []
    for n in g.node:
        nodes.extend(new_nodes_before.get(id(n), []))
        if id(n) not in remove_nodes:
            nodes.append(n)
    del g.node[:]
    g.node.extend(nodes)
    used = {t for n in nodes for t in n.input} | {o.name for o in g.output}
    del g.initializer[:]
    g.initializer.extend(i for i in keep_inits + new_inits if i.name in used)
    summary["quantized_activation_tensors"] = len(quantized_act)
    onnx.checker.check_model(m)
    return m, summary
