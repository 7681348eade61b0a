"""Data, batching, fine-tuning loop and metrics for FPB sentiment."""
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

LABELS = ["negative", "neutral", "positive"]
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # training/
DATA = os.path.join(HERE, "data", "financial_phrasebank", "financial_phrasebank.tsv")


def load_fpb(path=DATA):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        assert header == ["id", "sentence", "label", "agreement", "split"], header
        for line in f:
            i, s, lab, agr, split = line.rstrip("\n").split("\t")
            rows.append(dict(id=i, sentence=s, label=LABELS.index(lab), agreement=int(agr), split=split))
    return rows


def seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def pad(seqs, pad_id=0):
    n = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), n), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for j, s in enumerate(seqs):
        ids[j, : len(s)] = torch.tensor(s, dtype=torch.long)
        mask[j, : len(s)] = 1
    return ids, mask


def train_batches(n_items, lengths, batch, rng):
    """Shuffled batches, grouped by length inside chunks of 50 batches (less padding)."""
    idx = list(range(n_items))
    rng.shuffle(idx)
    out = []
    chunk = batch * 50
    for c in range(0, n_items, chunk):
        part = sorted(idx[c: c + chunk], key=lambda i: lengths[i])
        out.extend(part[b: b + batch] for b in range(0, len(part), batch))
    rng.shuffle(out)
    return out


@torch.no_grad()
def predict(model, seqs, device, batch=64):
    model.eval()
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    logits = [None] * len(seqs)
    embs = [None] * len(seqs)
    for b in range(0, len(order), batch):
        ii = order[b: b + batch]
        ids, mask = pad([seqs[i] for i in ii])
        lg, em = model(ids.to(device), mask.to(device), torch.zeros_like(ids).to(device))
        for j, i in enumerate(ii):
            logits[i] = lg[j].float().cpu()
            embs[i] = em[j].float().cpu()
    return torch.stack(logits), torch.stack(embs)


def metrics(pred, gold, agreement=None):
    pred, gold = np.asarray(pred), np.asarray(gold)
    out = {"n": int(len(gold)), "accuracy": float((pred == gold).mean())}
    f1s, per = [], {}
    for c, name in enumerate(LABELS):
        tp = int(((pred == c) & (gold == c)).sum())
        p = tp / max(1, int((pred == c).sum()))
        r = tp / max(1, int((gold == c).sum()))
        f = 0.0 if p + r == 0 else 2 * p * r / (p + r)
        f1s.append(f)
        per[name] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                     "support": int((gold == c).sum())}
    out["macro_f1"] = float(np.mean(f1s))
    out["per_class"] = per
    if agreement is not None:
        a = np.asarray(agreement) == 100
        out["allagree_accuracy"] = float((pred[a] == gold[a]).mean())
        out["allagree_n"] = int(a.sum())
    out["confusion"] = [[int(((gold == g) & (pred == p)).sum()) for p in range(3)] for g in range(3)]
    return out


def finetune(model, train_seqs, train_labels, val_seqs, val_labels, val_agr, *, lr, epochs, batch,
             seed, warmup=0.1, wd=0.01, device="cpu", class_weights=None, llrd=1.0, log=print,
             head_lr_mult=1.0, freeze_word_emb=False):
    """AdamW + linear warmup/decay. Returns per-epoch validation metrics; the model keeps the
    weights after the last epoch."""
    seed_all(seed)
    rng = random.Random(seed)
    model.to(device)
    n_layers = len(model.bert.layers)
    groups = []

    def add(params, scale):
        dec = [p for n, p in params if p.ndim >= 2]
        nodec = [p for n, p in params if p.ndim < 2]
        if dec:
            groups.append({"params": dec, "lr": lr * scale, "weight_decay": wd, "scale": scale})
        if nodec:
            groups.append({"params": nodec, "lr": lr * scale, "weight_decay": 0.0, "scale": scale})

    b = model.bert
    if freeze_word_emb:  # keeps the (fp16-exact) base vocabulary matrix as it is
        b.word.weight.requires_grad_(False)
    emb = [(n, p) for n, p in b.named_parameters() if not n.startswith("layers.") and p.requires_grad]
    add(emb, llrd ** n_layers)
    for i, layer in enumerate(b.layers):
        add(list(layer.named_parameters()), llrd ** (n_layers - 1 - i))
    add(list(model.head.named_parameters()), head_lr_mult)
    opt = torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    lengths = [len(s) for s in train_seqs]
    steps_per_epoch = math.ceil(len(train_seqs) / batch)
    total = steps_per_epoch * epochs
    warm = int(warmup * total)
    cw = None if class_weights is None else torch.tensor(class_weights, dtype=torch.float, device=device)
    history, step = [], 0
    y_all = torch.tensor(train_labels, dtype=torch.long)
    for ep in range(epochs):
        model.train()
        t0, tot_loss = time.time(), 0.0
        for bi in train_batches(len(train_seqs), lengths, batch, rng):
            f = (step + 1) / max(1, warm) if step < warm else max(0.0, (total - step) / max(1, total - warm))
            for g in opt.param_groups:
                g["lr"] = lr * g["scale"] * f
            ids, mask = pad([train_seqs[i] for i in bi])
            ids, mask = ids.to(device), mask.to(device)
            logits, _ = model(ids, mask, torch.zeros_like(ids))
            loss = F.cross_entropy(logits.float(), y_all[bi].to(device), weight=cw)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
            opt.step()
            tot_loss += loss.item()
            step += 1
        lg, _ = predict(model, val_seqs, device)
        m = metrics(lg.argmax(-1).numpy(), val_labels, val_agr)
        m.update(epoch=ep + 1, train_loss=tot_loss / steps_per_epoch, seconds=time.time() - t0)
        history.append(m)
        log(f"epoch {ep + 1}/{epochs} loss {m['train_loss']:.4f} val acc {m['accuracy']:.4f} "
            f"macroF1 {m['macro_f1']:.4f} allagree {m['allagree_accuracy']:.4f} ({m['seconds']:.0f}s)")
    return history


def logreg(xtr, ytr, xva, yva, Cs=(0.01, 0.1, 1.0, 10.0, 100.0), iters=200):
    """Multinomial logistic regression (L2, sklearn-style C) with LBFGS on standardized
    features; C picked by validation accuracy. Returns (best_C, predict_fn, val_table)."""
    mu, sd = xtr.mean(0), xtr.std(0) + 1e-6
    xtr_s = (xtr - mu) / sd
    ytr_t = torch.tensor(ytr, dtype=torch.long)
    n = len(ytr)
    table, best = [], None
    for C in Cs:
        torch.manual_seed(0)
        W = torch.zeros(xtr.shape[1], 3, requires_grad=True)
        bb = torch.zeros(3, requires_grad=True)
        opt = torch.optim.LBFGS([W, bb], lr=1, max_iter=iters, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = F.cross_entropy(xtr_s @ W + bb, ytr_t, reduction="sum") + 0.5 / C * (W ** 2).sum()
            loss.backward()
            return loss

        opt.step(closure)
        Wd, bd = W.detach(), bb.detach()

        def fn(x, Wd=Wd, bd=bd):
            return (((x - mu) / sd) @ Wd + bd).argmax(-1).numpy()

        acc = float((fn(xva) == np.asarray(yva)).mean())
        table.append({"C": C, "val_accuracy": acc})
        if best is None or acc > best[0]:
            best = (acc, C, fn)
    return best[1], best[2], table
