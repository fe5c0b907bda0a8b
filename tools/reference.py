"""Reference logits in float64 for the weight variants a GGUF file of each type holds."""
import numpy as np
import torch

from gguf_writer import FTYPE_ALL_F32, FTYPE_MOSTLY_F16, FTYPE_MOSTLY_Q8_0, cast_weight
from model import model_from_gguf_weights

VARIANTS = {"f32": FTYPE_ALL_F32, "f16": FTYPE_MOSTLY_F16, "q8_0": FTYPE_MOSTLY_Q8_0}


def variant_weights(weights, ftype):
    """Norm vectors stay float32; every 2-D tensor takes the values the file type stores."""
    return {k: (v if v.ndim == 1 else cast_weight(v, ftype)) for k, v in weights.items()}


def variant_models(args, weights):
    return {name: model_from_gguf_weights(args, variant_weights(weights, ft), torch.float64)
            for name, ft in VARIANTS.items()}


@torch.no_grad()
def logits_at(model, tokens, positions):
    out = model(torch.tensor([tokens], dtype=torch.long))[0]
    return out[positions].numpy()


def round_sig(a, digits):
    """Nested lists of floats rounded to `digits` significant digits (for compact JSON)."""
    fmt = f"%.{digits}g"
    return [[float(fmt % x) for x in row] for row in np.asarray(a, dtype=np.float64)]
