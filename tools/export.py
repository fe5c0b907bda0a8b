#!/usr/bin/python3
"""Exports the trained KJV checkpoint (tools/work/kjv-ckpt.pt) as GGUF with its tokenizer:
models/airtp-kjv-q8_0.gguf and models/airtp-kjv-f16.gguf (norm vectors f32 in both).

  /usr/bin/python3 tools/export.py
"""
import argparse
import os
import sys

import sentencepiece as spm
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf_writer import FTYPE_MOSTLY_F16, FTYPE_MOSTLY_Q8_0, write_llama_gguf  # noqa: E402
from model import ModelArgs, Transformer, gguf_weights  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_checkpoint(path):
    ck = torch.load(path, map_location="cpu")
    args = ModelArgs(**ck["args"])
    model = Transformer(args)
    model.load_state_dict(ck["model"])
    return args, model.eval(), ck


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(ROOT, "tools", "work", "kjv-ckpt.pt"))
    ap.add_argument("--tokenizer", default=os.path.join(ROOT, "models", "airtp-kjv-tokenizer.model"))
    ap.add_argument("--outdir", default=os.path.join(ROOT, "models"))
    a = ap.parse_args()
    args, model, _ = load_checkpoint(a.ckpt)
    sp = spm.SentencePieceProcessor(model_file=a.tokenizer)
    w = gguf_weights(model)
    for ft, name in ((FTYPE_MOSTLY_Q8_0, "airtp-kjv-q8_0.gguf"), (FTYPE_MOSTLY_F16, "airtp-kjv-f16.gguf")):
        n = write_llama_gguf(os.path.join(a.outdir, name), args, w, sp, ft, "airtp-kjv")
        print(f"{name}: {n} bytes")


if __name__ == "__main__":
    main()
