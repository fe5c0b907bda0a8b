#!/usr/bin/python3
"""Writes the tiny test fixtures into tests/data/ (see tools/README.md):

tiny-tokenizer.model   SentencePiece BPE, vocab 320, byte fallback, trained on KJV Genesis 1-3
tiny-f32.gguf / tiny-f16.gguf / tiny-q8_0.gguf   a randomly initialised Llama (seeded)
tiny.bin + tiny-tokenizer.bin   the same model/tokenizer in llama2.c format (untied classifier)
tiny-reference.json    float64 PyTorch logits for each weight variant + tokenizer references

Run with Debian's interpreter: /usr/bin/python3 tools/make_tiny_model.py
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import sentencepiece as spm
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf_writer import FTYPE_ALL_F32, FTYPE_MOSTLY_F16, FTYPE_MOSTLY_Q8_0, write_llama_gguf  # noqa: E402
from llama2c_writer import write_checkpoint, write_tokenizer  # noqa: E402
from model import ModelArgs, Transformer, gguf_weights  # noqa: E402
from reference import VARIANTS, logits_at, round_sig, variant_models  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 1234

# Trainer options shared with the KJV tokenizer: Llama-like (no normalisation, whitespace kept,
# digits split, dummy prefix '▁', byte fallback), so a plain SPM-BPE implementation reproduces it.
SP_OPTIONS = dict(model_type="bpe", byte_fallback=True, normalization_rule_name="identity",
                  remove_extra_whitespaces=False, split_digits=True, allow_whitespace_only_pieces=True,
                  add_dummy_prefix=True, unk_id=0, bos_id=1, eos_id=2, pad_id=-1, minloglevel=2,
                  num_threads=1)

TOKENIZER_CASES = [
    "",
    " ",
    "   ",
    "a",
    "the",
    "Hello world",
    "In the beginning God created the heaven and the earth.",
    "And God said, Let there be light: and there was light.",
    "  leading spaces",
    "trailing spaces   ",
    "multiple    spaces   inside",
    "line one\nline two",
    "\n",
    "\n\n\nthree newlines",
    "tab\tseparated\tvalues",
    "0123456789",
    "3.14159 and 2,718",
    "Genesis 1:1-3",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "UPPER CASE WORDS",
    "café",
    "naïve façade résumé",
    "Ünïcödé Straße",
    "日本語",
    "中文字符",
    "😀",
    "👍🏽 thumbs",
    "mixed: God 神 and ∑ x²",
    "<s> </s> <unk> are plain text here",
    "ʻokina and ŋ",
]


def tiny_corpus():
    """~10 KB of public-domain text from Debian's bible-kjv (Genesis 1-3), verse refs removed."""
    out = subprocess.run(["bible", "-f", "Gen1:1-Gen3:24"], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, check=True).stdout
    return "\n".join(line.split(" ", 1)[1] for line in out.splitlines() if " " in line) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    text = tiny_corpus()
    sp_prefix = os.path.join(a.out, "tiny-tokenizer")
    tmp = sp_prefix + ".txt"
    with open(tmp, "w") as f:
        f.write(text)
    # character_coverage < 1 keeps rare letters/punctuation out of the vocab so byte fallback is
    # exercised even for ASCII, and leaves room for a few dozen BPE merges in 320 pieces.
    spm.SentencePieceTrainer.train(input=tmp, model_prefix=sp_prefix, vocab_size=320,
                                   character_coverage=0.98, **SP_OPTIONS)
    os.remove(tmp)
    os.remove(sp_prefix + ".vocab")
    sp = spm.SentencePieceProcessor(model_file=sp_prefix + ".model")

    args = ModelArgs(dim=64, n_layers=2, n_heads=4, n_kv_heads=2, vocab_size=320, hidden_dim=128,
                     max_seq_len=64, norm_eps=1e-5, rope_theta=10000.0, tie_embeddings=False)
    torch.manual_seed(SEED)
    model = Transformer(args)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 1:
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            else:
                p.normal_(0.0, 0.05)
    w = gguf_weights(model)

    sizes = {}
    for ft, fname in ((FTYPE_ALL_F32, "tiny-f32.gguf"), (FTYPE_MOSTLY_F16, "tiny-f16.gguf"),
                      (FTYPE_MOSTLY_Q8_0, "tiny-q8_0.gguf")):
        sizes[fname] = write_llama_gguf(os.path.join(a.out, fname), args, w, sp, ft, "airtp-tiny")
    sizes["tiny.bin"] = write_checkpoint(os.path.join(a.out, "tiny.bin"), args, w)
    sizes["tiny-tokenizer.bin"] = write_tokenizer(os.path.join(a.out, "tiny-tokenizer.bin"), sp)

    models = variant_models(args, w)
    bos = sp.bos_id()
    seqs = []
    text_a = "In the beginning God created the heaven and the earth."
    text_b = ("And God said, Let us make man in our image, after our likeness: and let them have "
              "dominion over the fish of the sea, and over the fowl of the air.")
    for txt, n, positions in ((text_a, 16, list(range(16))), (text_b, 64, [15, 31, 47, 63])):
        toks = ([bos] + sp.encode(txt))[:n]
        if len(toks) != n:
            raise RuntimeError(f"text too short for {n} tokens")
        seqs.append({
            "text": txt, "tokens": toks, "positions": positions,
            "logits": {name: round_sig(logits_at(m, toks, positions), 8) for name, m in models.items()},
        })

    cases = []
    for s in TOKENIZER_CASES:
        ids = sp.encode(s)
        cases.append({"text": s, "ids": ids, "pieces": [sp.id_to_piece(i) for i in ids],
                      "decoded": sp.decode(ids)})

    ref = {
        "description": "airtp tiny test model: randomly initialised Llama (seed %d), weights "
                       "N(0,0.05), norm weights 1+N(0,0.1). Logits are PyTorch float64 (tools/model.py) "
                       "for the weight values each file stores: f32 exact, f16 = float32->float16 "
                       "round-to-nearest-even, q8_0 = ggml reference quantisation (norms stay f32 in all). "
                       "Rounded to 8 significant digits." % SEED,
        "generator": "tools/make_tiny_model.py",
        "model": args.to_dict(),
        "files": {"f32": "tiny-f32.gguf", "f16": "tiny-f16.gguf", "q8_0": "tiny-q8_0.gguf",
                  "llama2c": "tiny.bin", "llama2c_tokenizer": "tiny-tokenizer.bin",
                  "sentencepiece": "tiny-tokenizer.model"},
        "llama2c_weights_variant": "f32",
        "bos_id": sp.bos_id(), "eos_id": sp.eos_id(), "unk_id": sp.unk_id(),
        "sequences": seqs,
        "tokenizer": {
            "note": "ids = SentencePiece encode(text) WITHOUT BOS (add bos_id in front for a model "
                    "input). Trainer: BPE, identity normalisation, add_dummy_prefix, "
                    "remove_extra_whitespaces=false, split_digits, byte_fallback.",
            "add_bos": True,
            "cases": cases,
        },
    }
    with open(os.path.join(a.out, "tiny-reference.json"), "w") as f:
        json.dump(ref, f, ensure_ascii=False, separators=(",", ":"))
    sizes["tiny-reference.json"] = os.path.getsize(os.path.join(a.out, "tiny-reference.json"))
    sizes["tiny-tokenizer.model"] = os.path.getsize(sp_prefix + ".model")
    for k, v in sizes.items():
        print(f"{k:24s} {v:8d} bytes")
    print("total", sum(sizes.values()))


if __name__ == "__main__":
    main()
