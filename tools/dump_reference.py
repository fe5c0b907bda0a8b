#!/usr/bin/python3
"""tests/data/kjv-reference.json for the bundled model: float64 PyTorch logits of two held-out
token sequences for the weight values of the original checkpoint (f32), of the f16 file and of the
q8_0 file, plus the held-out perplexity (protocol in the JSON and in docs/model-card.md).

  /usr/bin/python3 tools/dump_reference.py
"""
import argparse
import json
import math
import os
import sys

import sentencepiece as spm
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export import load_checkpoint  # noqa: E402
from model import count_params, gguf_weights  # noqa: E402
from reference import logits_at, round_sig, variant_models  # noqa: E402
from train import chunk_nll, heldout_chunks  # noqa: E402
from make_tiny_model import TOKENIZER_CASES  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEQ_LEN = 24
LAST = 4


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(ROOT, "tools", "work", "kjv-ckpt.pt"))
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "kjv-reference.json"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ppl-chunks", type=int, default=0, help="score only the first N chunks (testing)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    args, model, ck = load_checkpoint(a.ckpt)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(ROOT, "models", "airtp-kjv-tokenizer.model"))
    held = open(os.path.join(ROOT, "models", "kjv-heldout.txt")).read()
    models = variant_models(args, gguf_weights(model))

    # two sequences: the start of the held-out text and the start of its 30th line
    lines = held.split("\n")
    texts = [held, "\n".join(lines[30:])]
    seqs = []
    positions = list(range(SEQ_LEN - LAST, SEQ_LEN))
    for t in texts:
        toks = ([sp.bos_id()] + sp.encode(t[:2000]))[:SEQ_LEN]
        seqs.append({"text": sp.decode(toks[1:]), "tokens": toks, "positions": positions,
                     "logits": {name: round_sig(logits_at(m, toks, positions), 6) for name, m in models.items()}})

    chunks = heldout_chunks(sp, held, args.max_seq_len)
    if a.ppl_chunks:
        chunks = chunks[: a.ppl_chunks]
    ppl = {}
    for name, m in (("pytorch_f32_weights_float64", models["f32"]),):
        nll, n = chunk_nll(m, chunks, batch=4)
        ppl[name] = {"nll_sum": nll, "tokens_scored": n, "mean_nll": nll / n, "perplexity": math.exp(nll / n)}
    # the same in float32 arithmetic, as the training script measures it
    nll, n = chunk_nll(model.float(), chunks, batch=4)
    ppl["pytorch_f32_weights_float32"] = {"nll_sum": nll, "tokens_scored": n, "mean_nll": nll / n,
                                          "perplexity": math.exp(nll / n)}
    for name in ("f16", "q8_0"):
        nll, n = chunk_nll(models[name], chunks, batch=4)
        ppl[f"pytorch_{name}_weights_float64"] = {"nll_sum": nll, "tokens_scored": n, "mean_nll": nll / n,
                                                  "perplexity": math.exp(nll / n)}

    ref = {
        "description": "airtp bundled KJV model: PyTorch float64 logits (tools/model.py) for the weight "
                       "values of the original float32 checkpoint (f32), of models/airtp-kjv-f16.gguf "
                       "(f16) and of models/airtp-kjv-q8_0.gguf (q8_0); norm vectors are f32 in all. "
                       "Logits rounded to 6 significant digits.",
        "generator": "tools/dump_reference.py",
        "model": args.to_dict(),
        "params": count_params(model),
        "files": {"f16": "../../models/airtp-kjv-f16.gguf", "q8_0": "../../models/airtp-kjv-q8_0.gguf",
                  "sentencepiece": "../../models/airtp-kjv-tokenizer.model"},
        "bos_id": sp.bos_id(), "eos_id": sp.eos_id(), "unk_id": sp.unk_id(),
        "sequences": seqs,
        "tokenizer": {
            "note": "ids = SentencePiece encode(text) WITHOUT BOS, with models/airtp-kjv-tokenizer.model "
                    "(the vocabulary embedded in both GGUF files)",
            "cases": [{"text": s, "ids": sp.encode(s), "pieces": [sp.id_to_piece(i) for i in sp.encode(s)],
                       "decoded": sp.decode(sp.encode(s))}
                      for s in TOKENIZER_CASES + [held[:600]]],
        },
        "heldout_perplexity": {
            "text": "models/kjv-heldout.txt",
            "protocol": f"ids = SentencePiece encode(whole file text) without BOS; split into consecutive "
                        f"non-overlapping pieces of {args.max_seq_len - 1} tokens, dropping the incomplete "
                        f"tail; each chunk = [BOS] + piece ({args.max_seq_len} tokens, a fresh context); "
                        f"the model is run on the chunk's first {args.max_seq_len - 1} tokens and scores "
                        f"the {args.max_seq_len - 1} text tokens (BOS is input only, never scored); "
                        f"perplexity = exp(sum NLL / tokens scored), natural log.",
            "chunks": len(chunks),
            "results": ppl,
        },
    }
    with open(a.out, "w") as f:
        json.dump(ref, f, ensure_ascii=False, indent=None, separators=(",", ":"))
    print(json.dumps(ref["heldout_perplexity"], indent=1))
    print("wrote", a.out, os.path.getsize(a.out), "bytes")


if __name__ == "__main__":
    main()
