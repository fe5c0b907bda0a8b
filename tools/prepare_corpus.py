#!/usr/bin/python3
"""KJV corpus from Debian's bible-kjv (`bible -f Gen1:1-Rev22:21` dumps one verse per line,
prefixed by its reference), split by chapter, and the KJV SentencePiece tokenizer.

Text format: one verse per line without its reference, chapters separated by one empty line.
Split: chapters are numbered 0..1188 in canonical order; chapter i is held out when
i % 20 == 19 (every 20th chapter), everything else is training text.

Writes
  tools/work/kjv.txt                all chapters
  tools/work/kjv-train.txt          training split (tokenizer and model are trained on it only)
  tools/work/kjv-heldout-full.txt   all held-out chapters
  models/kjv-heldout.txt            the held-out chapters in order, cut after the last whole
                                    chapter that keeps it <= 200 KB (committed; evaluation text)
  models/airtp-kjv-tokenizer.model  SentencePiece BPE, vocab 4096, byte fallback
"""
import os
import re
import subprocess
import sys

import sentencepiece as spm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tiny_model import SP_OPTIONS  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "tools", "work")
MODELS = os.path.join(ROOT, "models")
HELDOUT_EVERY = 20
HELDOUT_MAX_BYTES = 200_000
VOCAB = 4096

REF = re.compile(r"^(\d?[A-Za-z]+)(\d+):(\d+) (.*)$")


def chapters():
    out = subprocess.run(["bible", "-f", "Gen1:1-Rev22:21"], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, check=True).stdout
    chs, key = [], None
    for line in out.splitlines():
        m = REF.match(line)
        if not m:
            raise RuntimeError(f"unexpected line from bible: {line[:80]!r}")
        k = (m.group(1), m.group(2))
        if k != key:
            chs.append([])
            key = k
        chs[-1].append(m.group(4).strip())
    return chs


def main():
    os.makedirs(WORK, exist_ok=True)
    os.makedirs(MODELS, exist_ok=True)
    chs = chapters()
    texts = ["\n".join(c) + "\n" for c in chs]
    train = [t for i, t in enumerate(texts) if i % HELDOUT_EVERY != HELDOUT_EVERY - 1]
    held = [t for i, t in enumerate(texts) if i % HELDOUT_EVERY == HELDOUT_EVERY - 1]
    with open(os.path.join(WORK, "kjv.txt"), "w") as f:
        f.write("\n".join(texts))
    with open(os.path.join(WORK, "kjv-train.txt"), "w") as f:
        f.write("\n".join(train))
    with open(os.path.join(WORK, "kjv-heldout-full.txt"), "w") as f:
        f.write("\n".join(held))
    kept, size = [], 0
    for t in held:
        n = len(t.encode()) + 1
        if size + n > HELDOUT_MAX_BYTES:
            break
        kept.append(t)
        size += n
    with open(os.path.join(MODELS, "kjv-heldout.txt"), "w") as f:
        f.write("\n".join(kept))
    print(f"{len(chs)} chapters: {len(train)} train, {len(held)} held out, {len(kept)} kept in "
          f"models/kjv-heldout.txt ({os.path.getsize(os.path.join(MODELS, 'kjv-heldout.txt'))} bytes)")

    prefix = os.path.join(WORK, "kjv-tokenizer")
    spm.SentencePieceTrainer.train(input=os.path.join(WORK, "kjv-train.txt"), model_prefix=prefix,
                                   vocab_size=VOCAB, character_coverage=1.0,
                                   input_sentence_size=0, shuffle_input_sentence=False, **SP_OPTIONS)
    os.replace(prefix + ".model", os.path.join(MODELS, "airtp-kjv-tokenizer.model"))
    sp = spm.SentencePieceProcessor(model_file=os.path.join(MODELS, "airtp-kjv-tokenizer.model"))
    tr = open(os.path.join(WORK, "kjv-train.txt")).read()
    n = len(sp.encode(tr))
    print(f"tokenizer: {sp.get_piece_size()} pieces; train split {len(tr)} chars -> {n} tokens "
          f"({len(tr) / n:.2f} chars/token)")


if __name__ == "__main__":
    main()
