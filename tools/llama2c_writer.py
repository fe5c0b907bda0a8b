"""Writers for llama2.c files (Karpathy's run.c, legacy version-0 checkpoint format).

Checkpoint: 7 int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len), the
vocab size negated when the classifier is NOT shared with the embedding; then float32:
token_embedding[vocab, dim], rms_att[L, dim], wq[L, dim, dim], wk[L, kv_dim, dim],
wv[L, kv_dim, dim], wo[L, dim, dim], rms_ffn[L, dim], w1[L, hidden, dim], w2[L, dim, hidden],
w3[L, hidden, dim], rms_final[dim], freq_cis_real[seq_len, head_dim/2],
freq_cis_imag[seq_len, head_dim/2], then wcls[vocab, dim] if not shared. Matrices are
row-major [out, in] (PyTorch Linear layout). Checked against /work/shared/models/stories260K.bin.

Tokenizer: int32 max_token_length, then per token: float32 score, int32 length, bytes
(no terminator); '▁' is written as ' ', BOS/EOS as "\n<s>\n" / "\n</s>\n", byte pieces stay
"<0xXX>" (as llama2.c's tokenizer.py exports them).
"""
import struct

import numpy as np

HEADER = struct.Struct("<7i")


def write_checkpoint(path, args, w):
    """args: tools.model.ModelArgs; w: dict GGUF-named float32 arrays (tools.model.gguf_weights)."""
    L = args.n_layers
    hd = args.dim // args.n_heads
    shared = args.tie_embeddings
    vocab = args.vocab_size if shared else -args.vocab_size
    out = bytearray(HEADER.pack(args.dim, args.hidden_dim, L, args.n_heads, args.n_kv_heads, vocab,
                                args.max_seq_len))

    def put(a):
        out.extend(np.ascontiguousarray(a, dtype="<f4").tobytes())

    put(w["token_embd.weight"])
    for key in ("attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm",
                "ffn_gate", "ffn_down", "ffn_up"):
        for i in range(L):
            put(w[f"blk.{i}.{key}.weight"])
    put(w["output_norm.weight"])
    # freq_cis tables (ignored by run.c, but part of the layout): float32 like llama2.c's export
    inv = 1.0 / (args.rope_theta ** (np.arange(0, hd, 2, dtype=np.float32)[: hd // 2] / np.float32(hd)))
    ang = np.outer(np.arange(args.max_seq_len, dtype=np.float32), inv.astype(np.float32))
    put(np.cos(ang))
    put(np.sin(ang))
    if not shared:
        put(w["output.weight"])
    with open(path, "wb") as f:
        f.write(out)
    return len(out)


def read_checkpoint_header(path):
    with open(path, "rb") as f:
        return HEADER.unpack(f.read(HEADER.size))


def write_tokenizer(path, sp):
    toks, scores = [], []
    for i in range(sp.get_piece_size()):
        t = sp.id_to_piece(i)
        if i == sp.bos_id():
            t = "\n<s>\n"
        elif i == sp.eos_id():
            t = "\n</s>\n"
        toks.append(t.replace("\u2581", " ").encode("utf-8"))
        scores.append(sp.get_score(i))
    out = bytearray(struct.pack("<i", max(len(t) for t in toks)))
    for t, s in zip(toks, scores):
        out += struct.pack("<fi", s, len(t)) + t
    with open(path, "wb") as f:
        f.write(out)
    return len(out)


def expected_checkpoint_size(dim, hidden, L, H, KV, vocab, seq):
    """Bytes of a legacy checkpoint with this header (vocab < 0: unshared classifier)."""
    hd = dim // H
    V = abs(vocab)
    n = V * dim + L * dim + L * dim * dim + 2 * L * dim * KV * hd + L * dim * dim + L * dim \
        + 3 * L * dim * hidden + dim + seq * hd
    if vocab < 0:
        n += V * dim
    return HEADER.size + 4 * n


if __name__ == "__main__":
    import os
    import sys
    p = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/models/stories260K.bin"
    h = read_checkpoint_header(p)
    print(p, h, "size", os.path.getsize(p), "expected", expected_checkpoint_size(*h))
