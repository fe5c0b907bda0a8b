#!/usr/bin/python3
"""Independent check of the written files: a from-scratch GGUF reader and a numpy port of
llama2.c's run.c forward (token by token with a KV cache, rope over consecutive pairs as run.c
does it), compared with the PyTorch references in a *-reference.json.

  /usr/bin/python3 tools/check_files.py tests/data/tiny-reference.json
"""
import json
import os
import struct
import sys

import numpy as np

# ----------------------------------------------------------------- GGUF reader ---------------------
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


def read_gguf(path):
    buf = open(path, "rb").read()
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from(fmt, buf, pos)
        pos += struct.calcsize(fmt)
        return v[0] if len(v) == 1 else v

    def string():
        nonlocal pos
        n = take("<Q")
        s = buf[pos:pos + n].decode("utf-8")
        pos += n
        return s

    def value(t):
        if t == 8:
            return string()
        if t == 9:
            et, n = take("<I"), take("<Q")
            return [value(et) for _ in range(n)]
        return take(_SCALARS[t])

    assert buf[:4] == b"GGUF", "bad magic"
    pos = 4
    version, nt, nkv = take("<I"), take("<Q"), take("<Q")
    assert version == 3
    kv = {}
    for _ in range(nkv):
        k = string()
        kv[k] = value(take("<I"))
    infos = []
    for _ in range(nt):
        name = string()
        nd = take("<I")
        ne = [take("<Q") for _ in range(nd)]
        infos.append((name, ne, take("<I"), take("<Q")))
    align = kv.get("general.alignment", 32)
    data = pos + (-pos) % align
    tensors = {}
    for name, ne, t, off in infos:
        assert off % align == 0
        n = int(np.prod(ne))
        start = data + off
        if t == 0:
            a = np.frombuffer(buf, "<f4", n, start)
        elif t == 1:
            a = np.frombuffer(buf, "<f2", n, start).astype(np.float32)
        elif t == 8:
            raw = np.frombuffer(buf, np.uint8, n // 32 * 34, start).reshape(-1, 34)
            d = raw[:, :2].copy().view("<f2").astype(np.float32)
            q = raw[:, 2:].copy().view(np.int8).astype(np.float32)
            a = (d * q).reshape(-1)
        else:
            raise ValueError(f"type {t}")
        tensors[name] = (a.reshape(list(reversed(ne))).astype(np.float32), t)
    return kv, tensors


# ----------------------------------------------------------------- run.c port ----------------------
def rmsnorm(x, w, eps):
    return w * (x / np.sqrt(np.mean(x * x) + eps))


def runc_forward(cfg, W, tokens, theta=10000.0, eps=1e-5):
    """W: wte, rms_att[L], wq[L], wk[L], wv[L], wo[L], rms_ffn[L], w1[L], w2[L], w3[L], rms_final, wcls.
    Returns logits [T, vocab] in float64."""
    dim, hid, L, H, KV = cfg
    hs = dim // H
    kvd = KV * hs
    T = len(tokens)
    kc = np.zeros((L, T, kvd))
    vc = np.zeros((L, T, kvd))
    out = []
    for pos, tok in enumerate(tokens):
        x = W["wte"][tok].astype(np.float64)
        for l in range(L):
            xb = rmsnorm(x, W["rms_att"][l], eps)
            q = W["wq"][l] @ xb
            k = W["wk"][l] @ xb
            v = W["wv"][l] @ xb
            for i in range(0, dim, 2):
                hd = i % hs
                fr = 1.0 / theta ** (hd / hs)
                c, s = np.cos(pos * fr), np.sin(pos * fr)
                for vec in ((q, k) if i < kvd else (q,)):
                    a, b = vec[i], vec[i + 1]
                    vec[i], vec[i + 1] = a * c - b * s, a * s + b * c
            kc[l, pos], vc[l, pos] = k, v
            y = np.zeros(dim)
            for h in range(H):
                g = h // (H // KV)
                qh = q[h * hs:(h + 1) * hs]
                att = kc[l, :pos + 1, g * hs:(g + 1) * hs] @ qh / np.sqrt(hs)
                att = np.exp(att - att.max())
                att /= att.sum()
                y[h * hs:(h + 1) * hs] = att @ vc[l, :pos + 1, g * hs:(g + 1) * hs]
            x = x + W["wo"][l] @ y
            xb = rmsnorm(x, W["rms_ffn"][l], eps)
            h1 = W["w1"][l] @ xb
            h3 = W["w3"][l] @ xb
            x = x + W["w2"][l] @ (h1 / (1 + np.exp(-h1)) * h3)
        x = rmsnorm(x, W["rms_final"], eps)
        out.append(W["wcls"] @ x)
    return np.array(out)


def read_llama2c(path):
    buf = open(path, "rb").read()
    dim, hid, L, H, KV, V, S = struct.unpack_from("<7i", buf, 0)
    shared = V > 0
    V = abs(V)
    hs = dim // H
    f = np.frombuffer(buf, "<f4", offset=28).astype(np.float64)
    p = 0

    def take(*shape):
        nonlocal p
        n = int(np.prod(shape))
        a = f[p:p + n].reshape(shape)
        p += n
        return a

    W = {"wte": take(V, dim), "rms_att": take(L, dim), "wq": take(L, dim, dim), "wk": take(L, KV * hs, dim),
         "wv": take(L, KV * hs, dim), "wo": take(L, dim, dim), "rms_ffn": take(L, dim),
         "w1": take(L, hid, dim), "w2": take(L, dim, hid), "w3": take(L, hid, dim), "rms_final": take(dim)}
    take(S, hs // 2)
    take(S, hs // 2)
    W["wcls"] = W["wte"] if shared else take(V, dim)
    assert p == f.size, "trailing data in checkpoint"
    return (dim, hid, L, H, KV), W


def gguf_to_runc(kv, t):
    L = kv["llama.block_count"]
    g = lambda n: t[n][0].astype(np.float64)  # noqa: E731
    st = lambda k: np.stack([g(f"blk.{i}.{k}.weight") for i in range(L)])  # noqa: E731
    W = {"wte": g("token_embd.weight"), "rms_att": st("attn_norm"), "wq": st("attn_q"), "wk": st("attn_k"),
         "wv": st("attn_v"), "wo": st("attn_output"), "rms_ffn": st("ffn_norm"), "w1": st("ffn_gate"),
         "w2": st("ffn_down"), "w3": st("ffn_up"), "rms_final": g("output_norm.weight"),
         "wcls": g("output.weight")}
    cfg = (kv["llama.embedding_length"], kv["llama.feed_forward_length"], L,
           kv["llama.attention.head_count"], kv["llama.attention.head_count_kv"])
    return cfg, W


def main():
    ref_path = sys.argv[1]
    d = os.path.dirname(ref_path)
    ref = json.load(open(ref_path))
    theta = ref["model"]["rope_theta"]
    eps = ref["model"]["norm_eps"]
    worst = 0.0
    jobs = [(v, os.path.join(d, f)) for v, f in ref["files"].items() if f.endswith(".gguf")]
    if "llama2c" in ref["files"]:
        jobs.append(("llama2c", os.path.join(d, ref["files"]["llama2c"])))
    for variant, path in jobs:
        if variant == "llama2c":
            cfg, W = read_llama2c(path)
            variant = ref["llama2c_weights_variant"]
        else:
            kv, t = read_gguf(path)
            assert kv["general.architecture"] == "llama"
            assert len(kv["tokenizer.ggml.tokens"]) == kv["llama.vocab_size"] == ref["model"]["vocab_size"]
            for name, (a, ty) in t.items():
                assert (ty == 0) if a.ndim == 1 else True, name
            cfg, W = gguf_to_runc(kv, t)
        for s in ref["sequences"]:
            got = runc_forward(cfg, W, s["tokens"], theta, eps)[s["positions"]]
            want = np.array(s["logits"][variant])
            err = np.max(np.abs(got - want)) / max(1e-12, np.max(np.abs(want)))
            worst = max(worst, err)
            print(f"{os.path.basename(path):24s} {variant:5s} seq of {len(s['tokens'])}: "
                  f"max rel err {err:.2e}, argmax match {np.all(got.argmax(1) == want.argmax(1))}")
    print("worst", worst)
    if worst > 1e-5:
        sys.exit("MISMATCH")


if __name__ == "__main__":
    main()
