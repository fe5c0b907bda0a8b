"""Minimal GGUF v3 writer for Llama-architecture models (no third-party gguf package).

Layout (ggml docs/gguf.md): magic "GGUF", uint32 version 3, uint64 tensor count, uint64 kv count,
the metadata key/values, the tensor infos, padding to `general.alignment`, then the tensor data,
each tensor starting at a multiple of the alignment (offsets relative to the start of the data).

Tensor shapes are given in PyTorch order (outermost first); GGUF stores ne[] innermost first, so
the writer reverses them. Weights are expected in Meta/llama2.c layout: RoPE rotates
consecutive pairs (x[2i], x[2i+1]) (GGML's "normal" rope, the one llama.cpp uses for arch
"llama"), so Q/K are written unpermuted.
"""
import struct

import numpy as np

# GGUF metadata value types
GGUF_UINT8, GGUF_INT8, GGUF_UINT16, GGUF_INT16 = 0, 1, 2, 3
GGUF_UINT32, GGUF_INT32, GGUF_FLOAT32, GGUF_BOOL = 4, 5, 6, 7
GGUF_STRING, GGUF_ARRAY, GGUF_UINT64, GGUF_INT64, GGUF_FLOAT64 = 8, 9, 10, 11, 12

# ggml tensor types
GGML_F32, GGML_F16, GGML_Q8_0 = 0, 1, 8
QK8_0 = 32  # Q8_0 block size: one fp16 scale + 32 int8 = 34 bytes

# llama.cpp general.file_type values
FTYPE_ALL_F32, FTYPE_MOSTLY_F16, FTYPE_MOSTLY_Q8_0 = 0, 1, 7
FTYPE_TO_GGML = {FTYPE_ALL_F32: GGML_F32, FTYPE_MOSTLY_F16: GGML_F16, FTYPE_MOSTLY_Q8_0: GGML_Q8_0}

# tokenizer.ggml.token_type values (llama.cpp)
TOKEN_NORMAL, TOKEN_UNKNOWN, TOKEN_CONTROL, TOKEN_USER_DEFINED, TOKEN_UNUSED, TOKEN_BYTE = 1, 2, 3, 4, 5, 6

ALIGNMENT = 32


# ---------------------------------------------------------------- Q8_0 ------------------------------
def quantize_q8_0(x):
    """Quantize a float32 array (last dim a multiple of 32) exactly like ggml's
    quantize_row_q8_0_ref: d = amax/127 (float32), id = 1/d, q = roundf(x*id), d stored as fp16.
    Returns (d_fp16[nblocks], q_int8[nblocks, 32]) for the flattened array."""
    x = np.ascontiguousarray(x, dtype=np.float32).reshape(-1)
    if x.size % QK8_0:
        raise ValueError(f"q8_0 needs a multiple of {QK8_0} elements, got {x.size}")
    blocks = x.reshape(-1, QK8_0)
    amax = np.max(np.abs(blocks), axis=1).astype(np.float32)
    d = (amax / np.float32(127.0)).astype(np.float32)
    with np.errstate(divide="ignore"):
        idv = np.where(d != 0, np.float32(1.0) / np.where(d != 0, d, np.float32(1.0)), np.float32(0.0))
    idv = idv.astype(np.float32)
    v = (blocks * idv[:, None]).astype(np.float32)  # float32 product, as in C
    # roundf: half away from zero; done in float64 where |v| + 0.5 is exact.
    v64 = v.astype(np.float64)
    q = np.sign(v64) * np.floor(np.abs(v64) + 0.5)
    q = q.astype(np.int8)
    return d.astype(np.float16), q


def dequantize_q8_0(d, q, shape):
    """Inverse of quantize_q8_0 as ggml computes it: x = fp16(d) * q."""
    x = d.astype(np.float32)[:, None] * q.astype(np.float32)
    return x.reshape(shape).astype(np.float32)


def q8_0_roundtrip(x):
    """float32 array -> the values a Q8_0 tensor holds, as float32."""
    x = np.asarray(x, dtype=np.float32)
    d, q = quantize_q8_0(x)
    return dequantize_q8_0(d, q, x.shape)


def q8_0_bytes(x):
    d, q = quantize_q8_0(x)
    out = np.empty((d.size, 34), dtype=np.uint8)
    out[:, :2] = d.view(np.uint8).reshape(-1, 2)
    out[:, 2:] = q.view(np.uint8)
    return out.tobytes()


# ---------------------------------------------------------------- writer ----------------------------
class GGUFWriter:
    def __init__(self):
        self.kv = []       # (key, type, value, elem_type)
        self.tensors = []  # (name, shape_torch_order, ggml_type, bytes)

    # metadata ------------------------------------------------------------------------------------
    def add_uint32(self, key, v): self.kv.append((key, GGUF_UINT32, int(v), None))
    def add_int32(self, key, v): self.kv.append((key, GGUF_INT32, int(v), None))
    def add_float32(self, key, v): self.kv.append((key, GGUF_FLOAT32, float(v), None))
    def add_bool(self, key, v): self.kv.append((key, GGUF_BOOL, bool(v), None))
    def add_string(self, key, v): self.kv.append((key, GGUF_STRING, str(v), None))

    def add_array(self, key, elem_type, values):
        if elem_type not in (GGUF_STRING, GGUF_FLOAT32, GGUF_INT32, GGUF_UINT32):
            raise ValueError(f"unsupported array element type {elem_type}")
        self.kv.append((key, GGUF_ARRAY, list(values), elem_type))

    # tensors -------------------------------------------------------------------------------------
    def add_tensor(self, name, array, ggml_type):
        a = np.ascontiguousarray(array, dtype=np.float32)
        if ggml_type == GGML_F32:
            data = a.tobytes()
        elif ggml_type == GGML_F16:
            data = a.astype(np.float16).tobytes()
        elif ggml_type == GGML_Q8_0:
            if a.shape[-1] % QK8_0:
                raise ValueError(f"{name}: row length {a.shape[-1]} not a multiple of {QK8_0}")
            data = q8_0_bytes(a)
        else:
            raise ValueError(f"unsupported ggml type {ggml_type}")
        self.tensors.append((name, tuple(a.shape), ggml_type, data))

    # serialisation -------------------------------------------------------------------------------
    @staticmethod
    def _str(s):
        b = s.encode("utf-8")
        return struct.pack("<Q", len(b)) + b

    def _scalar(self, t, v):
        if t == GGUF_UINT32: return struct.pack("<I", v)
        if t == GGUF_INT32: return struct.pack("<i", v)
        if t == GGUF_FLOAT32: return struct.pack("<f", v)
        if t == GGUF_BOOL: return struct.pack("<B", 1 if v else 0)
        if t == GGUF_STRING: return self._str(v)
        raise ValueError(t)

    def write(self, path):
        kv = [k for k in self.kv if k[0] != "general.alignment"]
        kv.insert(0, ("general.alignment", GGUF_UINT32, ALIGNMENT, None))
        out = bytearray()
        out += b"GGUF"
        out += struct.pack("<IQQ", 3, len(self.tensors), len(kv))
        for key, t, v, et in kv:
            out += self._str(key) + struct.pack("<I", t)
            if t == GGUF_ARRAY:
                out += struct.pack("<IQ", et, len(v))
                if et == GGUF_FLOAT32:
                    out += np.asarray(v, dtype="<f4").tobytes()
                elif et == GGUF_INT32:
                    out += np.asarray(v, dtype="<i4").tobytes()
                elif et == GGUF_UINT32:
                    out += np.asarray(v, dtype="<u4").tobytes()
                else:
                    for s in v:
                        out += self._str(s)
            else:
                out += self._scalar(t, v)
        offset = 0
        offsets = []
        for name, shape, gt, data in self.tensors:
            offsets.append(offset)
            ne = list(reversed(shape))
            out += self._str(name) + struct.pack("<I", len(ne))
            out += struct.pack(f"<{len(ne)}Q", *ne)
            out += struct.pack("<IQ", gt, offset)
            offset += len(data)
            offset += (-offset) % ALIGNMENT
        out += b"\0" * ((-len(out)) % ALIGNMENT)
        data_start = len(out)
        for (name, shape, gt, data), off in zip(self.tensors, offsets):
            assert len(out) - data_start == off
            out += data
            out += b"\0" * ((-len(out)) % ALIGNMENT)
        with open(path, "wb") as f:
            f.write(out)
        return len(out)


# ---------------------------------------------------------------- llama helpers ---------------------
def sp_vocab(sp):
    """tokens, scores, token types of a SentencePieceProcessor, as llama.cpp expects them."""
    tokens, scores, types = [], [], []
    for i in range(sp.get_piece_size()):
        tokens.append(sp.id_to_piece(i))
        scores.append(sp.get_score(i))
        if sp.is_unknown(i):
            types.append(TOKEN_UNKNOWN)
        elif sp.is_control(i):
            types.append(TOKEN_CONTROL)
        elif sp.is_byte(i):
            types.append(TOKEN_BYTE)
        elif sp.is_unused(i):
            types.append(TOKEN_UNUSED)
        else:
            types.append(TOKEN_NORMAL)
    return tokens, scores, types


def cast_weight(w, ftype):
    """float32 values that a 2-D weight holds once stored with the given file type."""
    w = np.asarray(w, dtype=np.float32)
    if ftype == FTYPE_ALL_F32:
        return w
    if ftype == FTYPE_MOSTLY_F16:
        return w.astype(np.float16).astype(np.float32)
    if ftype == FTYPE_MOSTLY_Q8_0:
        return q8_0_roundtrip(w)
    raise ValueError(ftype)


def write_llama_gguf(path, cfg, weights, sp, ftype, name):
    """cfg: tools.model.ModelArgs; weights: dict of GGUF tensor name -> float32 numpy array
    (PyTorch shapes); sp: SentencePieceProcessor; ftype: FTYPE_*."""
    w = GGUFWriter()
    w.add_string("general.architecture", "llama")
    w.add_string("general.name", name)
    w.add_uint32("general.file_type", ftype)
    if ftype == FTYPE_MOSTLY_Q8_0:
        w.add_uint32("general.quantization_version", 2)
    w.add_uint32("llama.context_length", cfg.max_seq_len)
    w.add_uint32("llama.embedding_length", cfg.dim)
    w.add_uint32("llama.block_count", cfg.n_layers)
    w.add_uint32("llama.feed_forward_length", cfg.hidden_dim)
    w.add_uint32("llama.rope.dimension_count", cfg.dim // cfg.n_heads)
    w.add_uint32("llama.attention.head_count", cfg.n_heads)
    w.add_uint32("llama.attention.head_count_kv", cfg.n_kv_heads)
    w.add_float32("llama.attention.layer_norm_rms_epsilon", cfg.norm_eps)
    w.add_float32("llama.rope.freq_base", cfg.rope_theta)
    w.add_uint32("llama.vocab_size", cfg.vocab_size)
    tokens, scores, types = sp_vocab(sp)
    if len(tokens) != cfg.vocab_size:
        raise ValueError(f"tokenizer has {len(tokens)} pieces, model vocab is {cfg.vocab_size}")
    w.add_string("tokenizer.ggml.model", "llama")
    w.add_array("tokenizer.ggml.tokens", GGUF_STRING, tokens)
    w.add_array("tokenizer.ggml.scores", GGUF_FLOAT32, scores)
    w.add_array("tokenizer.ggml.token_type", GGUF_INT32, types)
    w.add_uint32("tokenizer.ggml.bos_token_id", sp.bos_id())
    w.add_uint32("tokenizer.ggml.eos_token_id", sp.eos_id())
    w.add_uint32("tokenizer.ggml.unknown_token_id", sp.unk_id())
    w.add_bool("tokenizer.ggml.add_bos_token", True)
    w.add_bool("tokenizer.ggml.add_eos_token", False)
    w.add_bool("tokenizer.ggml.add_space_prefix", True)
    gt2d = FTYPE_TO_GGML[ftype]
    for tname, arr in weights.items():
        gt = GGML_F32 if np.ndim(arr) == 1 else gt2d
        w.add_tensor(tname, arr, gt)
    return w.write(path)


def llama_tensor_order(n_layers):
    names = ["token_embd.weight"]
    for i in range(n_layers):
        names += [f"blk.{i}.attn_norm.weight", f"blk.{i}.attn_q.weight", f"blk.{i}.attn_k.weight",
                  f"blk.{i}.attn_v.weight", f"blk.{i}.attn_output.weight", f"blk.{i}.ffn_norm.weight",
                  f"blk.{i}.ffn_gate.weight", f"blk.{i}.ffn_down.weight", f"blk.{i}.ffn_up.weight"]
    names += ["output_norm.weight", "output.weight"]
    return names
