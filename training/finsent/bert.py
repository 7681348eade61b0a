"""A small BERT encoder in plain torch (works on torch 1.13 and 2.x), loaded from the
HuggingFace-exported ONNX graphs shipped in the langchain4j embedding jars."""
import math
import re

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, h, heads, inter, drop):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(h, h)
        self.k = nn.Linear(h, h)
        self.v = nn.Linear(h, h)
        self.o = nn.Linear(h, h)
        self.ln1 = nn.LayerNorm(h, eps=1e-12)
        self.fc1 = nn.Linear(h, inter)
        self.fc2 = nn.Linear(inter, h)
        self.ln2 = nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(drop)

    def forward(self, x, bias):
        b, s, h = x.shape
        d = h // self.heads

        def split(t):
            return t.view(b, s, self.heads, d).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d) + bias
        att = self.drop(torch.softmax(att, dim=-1))
        ctx = torch.matmul(att, v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.drop(self.o(ctx)))
        y = self.fc2(F.gelu(self.fc1(x)))
        return self.ln2(x + self.drop(y))


class Bert(nn.Module):
    def __init__(self, vocab, hidden, layers, heads, inter, max_pos=512, type_vocab=2, drop=0.1):
        super().__init__()
        self.config = dict(vocab=vocab, hidden=hidden, layers=layers, heads=heads, inter=inter,
                           max_pos=max_pos, type_vocab=type_vocab)
        self.word = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_pos, hidden)
        self.tok_type = nn.Embedding(type_vocab, hidden)
        self.ln = nn.LayerNorm(hidden, eps=1e-12)
        self.drop = nn.Dropout(drop)
        self.layers = nn.ModuleList([Layer(hidden, heads, inter, drop) for _ in range(layers)])

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        b, s = input_ids.shape
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        pos = torch.arange(s, device=input_ids.device).unsqueeze(0)
        x = self.word(input_ids) + self.pos(pos) + self.tok_type(token_type_ids)
        x = self.drop(self.ln(x))
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.layers:
            x = layer(x, bias)
        return x


class Classifier(nn.Module):
    """Encoder + pooling + dropout + linear head. Returns (logits, embedding)."""

    def __init__(self, bert, n_labels=3, pooling="cls", drop=0.1):
        super().__init__()
        self.bert = bert
        self.pooling = pooling
        self.drop = nn.Dropout(drop)
        self.head = nn.Linear(bert.config["hidden"], n_labels)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        hs = self.bert(input_ids, attention_mask, token_type_ids)
        if self.pooling == "cls":
            emb = hs[:, 0]
        else:
            m = attention_mask.unsqueeze(-1).to(hs.dtype)
            emb = (hs * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return self.head(self.drop(emb)), emb


def _onnx_arrays(path):
    """name -> float32 numpy array for every initializer, also through Cast/Constant nodes
    (so a copy of the graph with float16 initializers + Cast loads the same way)."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    g = m.graph
    arr = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    for n in g.node:
        if n.op_type == "Cast" and n.input[0] in arr:
            arr[n.output[0]] = arr[n.input[0]].astype(np.float32)
        elif n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    arr[n.output[0]] = numpy_helper.to_array(a.t)
    return g, arr


def load_from_onnx(path, drop=0.1):
    g, arr = _onnx_arrays(path)
    named = {k: v for k, v in arr.items() if not k.startswith("onnx::") and not k.startswith("/")}
    matmul = {}
    for n in g.node:
        if n.op_type == "MatMul" and n.input[1] in arr:
            mo = re.match(r"^/encoder/layer\.(\d+)/(.*)/MatMul$", n.name)
            if mo:
                matmul[(int(mo.group(1)), mo.group(2))] = arr[n.input[1]]
    we = named["embeddings.word_embeddings.weight"]
    n_layers = 1 + max(k[0] for k in matmul)
    hidden = we.shape[1]
    inter = matmul[(0, "intermediate/dense")].shape[1]
    heads = hidden // 32 if hidden % 32 == 0 else 12  # MiniLM/bge/e5-small: 384/32=12 heads of 32
    bert = Bert(we.shape[0], hidden, n_layers, heads, inter,
                max_pos=named["embeddings.position_embeddings.weight"].shape[0],
                type_vocab=named["embeddings.token_type_embeddings.weight"].shape[0], drop=drop)
    sd = {"word.weight": we,
          "pos.weight": named["embeddings.position_embeddings.weight"],
          "tok_type.weight": named["embeddings.token_type_embeddings.weight"],
          "ln.weight": named["embeddings.LayerNorm.weight"],
          "ln.bias": named["embeddings.LayerNorm.bias"]}
    parts = {"q": "attention/self/query", "k": "attention/self/key", "v": "attention/self/value",
             "o": "attention/output/dense", "fc1": "intermediate/dense", "fc2": "output/dense"}
    for i in range(n_layers):
        p = f"encoder.layer.{i}."
        for short, long in parts.items():
            sd[f"layers.{i}.{short}.weight"] = matmul[(i, long)].T
            sd[f"layers.{i}.{short}.bias"] = named[p + long.replace("/", ".") + ".bias"]
        sd[f"layers.{i}.ln1.weight"] = named[p + "attention.output.LayerNorm.weight"]
        sd[f"layers.{i}.ln1.bias"] = named[p + "attention.output.LayerNorm.bias"]
        sd[f"layers.{i}.ln2.weight"] = named[p + "output.LayerNorm.weight"]
        sd[f"layers.{i}.ln2.bias"] = named[p + "output.LayerNorm.bias"]
    sd = {k: torch.from_numpy(np.array(v, dtype=np.float32, copy=True)) for k, v in sd.items()}
    bert.load_state_dict(sd, strict=True)
    return bert


def flops_per_token(layers, hidden, inter, seq=128):
    """Multiply-accumulates x2 per token of the encoder stack (embeddings/LN/softmax ignored):
    QKV+O projections 4h^2, FFN 2*h*inter, attention scores + weighted sum 2*seq*h."""
    return 2 * layers * (4 * hidden * hidden + 2 * hidden * inter + 2 * seq * hidden)
