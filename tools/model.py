"""PyTorch Llama model shared by the airtp tools (training, export, references).

Conventions match Meta's llama / llama2.c and GGML's "normal" rope for arch "llama":
RMSNorm (x * rsqrt(mean(x^2) + eps) * w), RoPE rotating consecutive pairs (x[2i], x[2i+1]) by
pos * theta^(-2i/head_dim), grouped-query attention (query head h reads KV head
h // (n_heads / n_kv_heads)), SwiGLU FFN w2(silu(w1 x) * w3 x), untied or tied classifier.
The model runs in whatever dtype its parameters have (float64 for references).
"""
import math
from dataclasses import dataclass, asdict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelArgs:
    dim: int = 256
    n_layers: int = 6
    n_heads: int = 8
    n_kv_heads: int = 8
    vocab_size: int = 4096
    hidden_dim: int = 768
    max_seq_len: int = 256
    norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    tie_embeddings: bool = False

    def to_dict(self):
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(head_dim, seq_len, theta, dtype):
    """exp(i * pos * theta^(-2j/head_dim)) as complex [seq_len, head_dim/2], computed in float64
    then cast (complex64 for float32 models, complex128 for float64)."""
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    ang = torch.outer(torch.arange(seq_len, dtype=torch.float64), inv)
    cis = torch.polar(torch.ones_like(ang), ang)
    return cis.to(torch.complex64 if dtype == torch.float32 else torch.complex128)


def apply_rope(x, cis):
    """x [B, T, H, hd]; rotate pairs (x[2i], x[2i+1]) as complex numbers x[2i] + i x[2i+1]."""
    xc = torch.view_as_complex(x.reshape(*x.shape[:-1], -1, 2).contiguous())
    return torch.view_as_real(xc * cis[None, :, None, :]).flatten(-2)


class Attention(nn.Module):
    def __init__(self, a: ModelArgs):
        super().__init__()
        self.n_heads, self.n_kv = a.n_heads, a.n_kv_heads
        self.hd = a.dim // a.n_heads
        self.wq = nn.Linear(a.dim, a.n_heads * self.hd, bias=False)
        self.wk = nn.Linear(a.dim, a.n_kv_heads * self.hd, bias=False)
        self.wv = nn.Linear(a.dim, a.n_kv_heads * self.hd, bias=False)
        self.wo = nn.Linear(a.n_heads * self.hd, a.dim, bias=False)

    def forward(self, x, cis, mask):
        B, T, _ = x.shape
        q = self.wq(x).view(B, T, self.n_heads, self.hd)
        k = self.wk(x).view(B, T, self.n_kv, self.hd)
        v = self.wv(x).view(B, T, self.n_kv, self.hd)
        q, k = apply_rope(q, cis), apply_rope(k, cis)
        rep = self.n_heads // self.n_kv
        if rep > 1:
            k = k.repeat_interleave(rep, dim=2)
            v = v.repeat_interleave(rep, dim=2)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))  # B H T hd
        att = torch.baddbmm(mask.expand(B * self.n_heads, T, T), q.reshape(B * self.n_heads, T, self.hd),
                            k.reshape(B * self.n_heads, T, self.hd).transpose(1, 2),
                            alpha=1.0 / math.sqrt(self.hd)).view(B, self.n_heads, T, T)
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, -1)
        return self.wo(y)


class FeedForward(nn.Module):
    def __init__(self, a: ModelArgs):
        super().__init__()
        self.w1 = nn.Linear(a.dim, a.hidden_dim, bias=False)
        self.w2 = nn.Linear(a.hidden_dim, a.dim, bias=False)
        self.w3 = nn.Linear(a.dim, a.hidden_dim, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(nn.Module):
    def __init__(self, a: ModelArgs):
        super().__init__()
        self.attention = Attention(a)
        self.feed_forward = FeedForward(a)
        self.attention_norm = RMSNorm(a.dim, a.norm_eps)
        self.ffn_norm = RMSNorm(a.dim, a.norm_eps)

    def forward(self, x, cis, mask):
        h = x + self.attention(self.attention_norm(x), cis, mask)
        return h + self.feed_forward(self.ffn_norm(h))


class Transformer(nn.Module):
    def __init__(self, a: ModelArgs):
        super().__init__()
        self.args = a
        self.tok_embeddings = nn.Embedding(a.vocab_size, a.dim)
        self.layers = nn.ModuleList(Block(a) for _ in range(a.n_layers))
        self.norm = RMSNorm(a.dim, a.norm_eps)
        self.output = nn.Linear(a.dim, a.vocab_size, bias=False)
        if a.tie_embeddings:
            self.output.weight = self.tok_embeddings.weight

    def init_weights(self, std=0.02):
        """GPT-2 style init used for training (residual projections scaled by depth)."""
        for n, p in self.named_parameters():
            if p.dim() == 1:
                nn.init.ones_(p)
            else:
                s = std / math.sqrt(2 * self.args.n_layers) if n.endswith(("wo.weight", "w2.weight")) else std
                nn.init.normal_(p, 0.0, s)

    def forward(self, tokens, targets=None):
        T = tokens.shape[1]
        if T > self.args.max_seq_len:
            raise ValueError(f"sequence of {T} tokens exceeds context {self.args.max_seq_len}")
        dtype = self.tok_embeddings.weight.dtype
        cis = rope_tables(self.args.dim // self.args.n_heads, T, self.args.rope_theta, dtype).to(tokens.device)
        mask = torch.full((T, T), float("-inf"), dtype=dtype, device=tokens.device).triu(1)  # additive causal
        h = self.tok_embeddings(tokens)
        for layer in self.layers:
            h = layer(h, cis, mask)
        logits = self.output(self.norm(h))
        if targets is None:
            return logits
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)).float(), targets.reshape(-1), ignore_index=-1)
        return logits, loss


# ------------------------------------------------------------- GGUF naming ---------------------------
def gguf_weights(model: Transformer):
    """dict GGUF tensor name -> float32 numpy array in PyTorch shape, in GGUF tensor order."""
    sd = {k: v.detach().to(torch.float32).cpu().numpy() for k, v in model.state_dict().items()}
    out = {"token_embd.weight": sd["tok_embeddings.weight"]}
    for i in range(model.args.n_layers):
        p = f"layers.{i}."
        out[f"blk.{i}.attn_norm.weight"] = sd[p + "attention_norm.weight"]
        out[f"blk.{i}.attn_q.weight"] = sd[p + "attention.wq.weight"]
        out[f"blk.{i}.attn_k.weight"] = sd[p + "attention.wk.weight"]
        out[f"blk.{i}.attn_v.weight"] = sd[p + "attention.wv.weight"]
        out[f"blk.{i}.attn_output.weight"] = sd[p + "attention.wo.weight"]
        out[f"blk.{i}.ffn_norm.weight"] = sd[p + "ffn_norm.weight"]
        out[f"blk.{i}.ffn_gate.weight"] = sd[p + "feed_forward.w1.weight"]
        out[f"blk.{i}.ffn_down.weight"] = sd[p + "feed_forward.w2.weight"]
        out[f"blk.{i}.ffn_up.weight"] = sd[p + "feed_forward.w3.weight"]
    out["output_norm.weight"] = sd["norm.weight"]
    out["output.weight"] = sd["output.weight"]
    return out


def model_from_gguf_weights(args: ModelArgs, w, dtype=torch.float64):
    """Build a model (in dtype) from a dict as returned by gguf_weights (possibly cast)."""
    m = Transformer(args)
    sd = {"tok_embeddings.weight": w["token_embd.weight"], "norm.weight": w["output_norm.weight"],
          "output.weight": w["output.weight"]}
    for i in range(args.n_layers):
        p = f"layers.{i}."
        sd[p + "attention_norm.weight"] = w[f"blk.{i}.attn_norm.weight"]
        sd[p + "attention.wq.weight"] = w[f"blk.{i}.attn_q.weight"]
        sd[p + "attention.wk.weight"] = w[f"blk.{i}.attn_k.weight"]
        sd[p + "attention.wv.weight"] = w[f"blk.{i}.attn_v.weight"]
        sd[p + "attention.wo.weight"] = w[f"blk.{i}.attn_output.weight"]
        sd[p + "ffn_norm.weight"] = w[f"blk.{i}.ffn_norm.weight"]
        sd[p + "feed_forward.w1.weight"] = w[f"blk.{i}.ffn_gate.weight"]
        sd[p + "feed_forward.w2.weight"] = w[f"blk.{i}.ffn_down.weight"]
        sd[p + "feed_forward.w3.weight"] = w[f"blk.{i}.ffn_up.weight"]
    m.load_state_dict({k: torch.from_numpy(np.asarray(v, dtype=np.float32).copy()) for k, v in sd.items()})
    return m.to(dtype).eval()


def count_params(model: Transformer):
    return sum(p.numel() for p in model.parameters())
