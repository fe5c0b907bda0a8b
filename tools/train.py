#!/usr/bin/python3
"""Time-budgeted training of the bundled KJV model on CPU (tools/prepare_corpus.py first).

Data: the training split is encoded once (SentencePiece, no BOS) into one token stream; a
sample is BOS followed by 255 tokens from a uniformly random offset, and the targets are those
tokens plus the next one (every position, BOS included as input, predicts one text token).
Optimiser: AdamW (betas 0.9/0.95, weight decay on matrices only), linear warm-up then cosine
decay to lr/10, driven by the fraction of the time budget used so the schedule completes
whatever the machine's speed. Validation loss: the first --val-chunks chunks of
models/kjv-heldout.txt, same protocol as tools/dump_reference.py's perplexity.

  nohup /usr/bin/python3 tools/train.py --minutes 35 > tools/work/train.log 2>&1 &

--resume CKPT continues from a checkpoint's weights (the optimiser state is not saved, so AdamW
restarts and the warm-up + cosine schedule runs afresh over the new budget); steps, tokens and
minutes are then reported as totals over all stages, and each stage's settings are kept in
"stages".
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import sentencepiece as spm
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ModelArgs, Transformer, count_params  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "tools", "work")
TOKENIZER = os.path.join(ROOT, "models", "airtp-kjv-tokenizer.model")
HELDOUT = os.path.join(ROOT, "models", "kjv-heldout.txt")

KJV_ARGS = ModelArgs(dim=256, n_layers=6, n_heads=8, n_kv_heads=8, vocab_size=4096, hidden_dim=768,
                     max_seq_len=256, norm_eps=1e-5, rope_theta=10000.0, tie_embeddings=False)


def heldout_chunks(sp, text, ctx):
    """Perplexity protocol: ids = encode(whole text), no BOS; consecutive non-overlapping pieces of
    ctx-1 tokens (the incomplete tail is dropped); each chunk = [BOS] + piece; the ctx-1 text
    tokens are scored, each predicted from BOS and the preceding tokens of its chunk."""
    ids = sp.encode(text)
    n = ctx - 1
    return [[sp.bos_id()] + ids[i:i + n] for i in range(0, len(ids) - n + 1, n)]


@torch.no_grad()
def chunk_nll(model, chunks, batch=8):
    """Sum of negative log-likelihoods (nats) and number of scored tokens."""
    total, count = 0.0, 0
    for i in range(0, len(chunks), batch):
        x = torch.tensor(chunks[i:i + batch], dtype=torch.long)
        logits = model(x[:, :-1])
        lp = torch.log_softmax(logits.to(torch.float64), dim=-1)
        total -= lp.gather(-1, x[:, 1:, None]).sum().item()
        count += x[:, 1:].numel()
    return total, count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=35.0)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min-lr-frac", type=float, default=0.1)
    ap.add_argument("--warmup-steps", type=int, default=20)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--val-chunks", type=int, default=24)
    ap.add_argument("--eval-every-min", type=float, default=6.0)
    ap.add_argument("--out", default=os.path.join(WORK, "kjv-ckpt.pt"))
    ap.add_argument("--resume", default=None, help="checkpoint whose weights to continue from")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    sp = spm.SentencePieceProcessor(model_file=TOKENIZER)
    args = KJV_ARGS
    train_ids = np.array(sp.encode(open(os.path.join(WORK, "kjv-train.txt")).read()), dtype=np.int64)
    val = heldout_chunks(sp, open(HELDOUT).read(), args.max_seq_len)[: a.val_chunks]
    model = Transformer(args)
    model.init_weights()
    prev = None
    if a.resume:
        ck = torch.load(a.resume, map_location="cpu")
        if ck["args"] != args.to_dict():
            raise SystemExit(f"--resume {a.resume}: model args {ck['args']} differ from {args.to_dict()}")
        model.load_state_dict(ck["model"])
        prev = ck["train"]
        print(f"resumed from {a.resume}: {prev['steps']} steps, {prev['tokens_seen']} tokens", flush=True)
    prev_steps = prev["steps"] if prev else 0
    prev_tokens = prev["tokens_seen"] if prev else 0
    prev_minutes = prev["minutes_used"] if prev else 0.0
    stages = (prev.get("stages") or [{k: v for k, v in prev.items() if k != "stages"}]) if prev else []
    nparams = count_params(model)
    print(f"params {nparams}, train tokens {len(train_ids)}, val chunks {len(val)}", flush=True)

    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.95))
    budget = a.minutes * 60.0
    T = args.max_seq_len
    bos = sp.bos_id()
    log = list(ck["log"]) if prev else []

    def lr_at(step, frac):
        if step < a.warmup_steps:
            return a.lr * (step + 1) / a.warmup_steps
        c = 0.5 * (1 + math.cos(math.pi * min(1.0, frac)))
        return a.lr * (a.min_lr_frac + (1 - a.min_lr_frac) * c)

    def evaluate():
        model.eval()
        nll, n = chunk_nll(model, val)
        model.train()
        return nll / n

    def save(step, train_loss, val_loss, elapsed):
        stage = {"steps": step, "batch": a.batch, "seq": T, "lr": a.lr,
                 "min_lr_frac": a.min_lr_frac, "warmup_steps": a.warmup_steps,
                 "weight_decay": a.weight_decay, "betas": [0.9, 0.95], "grad_clip": 1.0,
                 "threads": a.threads, "seed": a.seed, "minutes_budget": a.minutes,
                 "minutes_used": elapsed / 60, "tokens_seen": step * a.batch * T,
                 "resumed_from": a.resume}
        train = dict(stage)
        # totals over all stages (equal to this stage's numbers for a fresh run)
        train.update({"steps": prev_steps + step, "tokens_seen": prev_tokens + step * a.batch * T,
                      "minutes_used": prev_minutes + elapsed / 60, "final_train_loss": train_loss,
                      "final_val_loss": val_loss, "val_chunks": len(val), "params": nparams,
                      "stages": stages + [stage]})
        torch.save({"model": model.state_dict(), "args": args.to_dict(), "log": log, "train": train},
                   a.out + ".tmp")
        os.replace(a.out + ".tmp", a.out)

    t0 = time.time()
    last_eval = t0
    step = 0
    ema = None
    model.train()
    while True:
        elapsed = time.time() - t0
        if elapsed >= budget:
            break
        lr = lr_at(step, elapsed / budget)
        for g in opt.param_groups:
            g["lr"] = lr
        starts = rng.integers(0, len(train_ids) - T, size=a.batch)
        y = torch.from_numpy(np.stack([train_ids[s:s + T] for s in starts]))
        x = torch.cat([torch.full((a.batch, 1), bos, dtype=torch.long), y[:, :-1]], dim=1)
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        li = loss.item()
        ema = li if ema is None else 0.98 * ema + 0.02 * li
        if step % 10 == 0:
            print(f"step {step} t {elapsed / 60:.1f}m lr {lr:.2e} loss {li:.4f} ema {ema:.4f} "
                  f"({(time.time() - t0) / step:.2f} s/step)", flush=True)
        if time.time() - last_eval > a.eval_every_min * 60:
            v = evaluate()
            log.append({"step": prev_steps + step, "minutes": prev_minutes + (time.time() - t0) / 60, "train_loss_ema": ema, "val_loss": v})
            print(f"EVAL step {step} train_ema {ema:.4f} val {v:.4f} ppl {math.exp(v):.2f}", flush=True)
            save(step, ema, v, time.time() - t0)
            last_eval = time.time()
    elapsed = time.time() - t0
    # final train loss: mean over 8 fresh random batches, measured without updates
    model.eval()
    with torch.no_grad():
        tl = []
        for _ in range(8):
            starts = rng.integers(0, len(train_ids) - T, size=a.batch)
            y = torch.from_numpy(np.stack([train_ids[s:s + T] for s in starts]))
            x = torch.cat([torch.full((a.batch, 1), bos, dtype=torch.long), y[:, :-1]], dim=1)
            tl.append(model(x, y)[1].item())
    train_loss = float(np.mean(tl))
    v = evaluate()
    log.append({"step": prev_steps + step, "minutes": prev_minutes + elapsed / 60, "train_loss": train_loss, "val_loss": v})
    save(step, train_loss, v, elapsed)
    print(f"DONE steps {step} minutes {elapsed / 60:.1f} train {train_loss:.4f} val {v:.4f} "
          f"ppl {math.exp(v):.2f}", flush=True)
    print(json.dumps(log[-1]))


if __name__ == "__main__":
    main()
