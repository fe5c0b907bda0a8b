#include "tp/shard.h"

#include <fmt/format.h>

#include <stdexcept>

namespace airtp {
namespace {

ShardMatrix rows(const Matrix& m, int r0, int r1) {
  ShardMatrix s;
  if (r0 == 0 && r1 == m.rows) {
    s.view = m;
  } else {
    s.owned = slice_rows(m, r0, r1);
    s.view = s.owned.view;
  }
  return s;
}

ShardMatrix cols(const Matrix& m, int c0, int c1, const char* what) {
  ShardMatrix s;
  if (c0 == 0 && c1 == m.cols) {
    s.view = m;
    return s;
  }
  const int b = block_size(m.type);
  if (c0 % b != 0 || c1 % b != 0)
    throw std::invalid_argument(fmt::format(
        "{} is {} with blocks of {} values; the split at columns {}..{} does not fall on a block "
        "boundary (choose other shares or another number of devices)", what, dtype_name(m.type), b, c0, c1));
  s.owned = slice_cols(m, c0, c1);
  s.view = s.owned.view;
  return s;
}

}  // namespace

Shard make_shard(const Model& model, const DeviceShare& share) {
  const auto& c = model.config;
  const int hd = c.head_dim();
  Shard sh;
  sh.share = share;
  for (const auto& L : model.weights.layers) {
    ShardLayer s;
    s.attn_norm.assign(L.attn_norm, L.attn_norm + c.dim);
    s.ffn_norm.assign(L.ffn_norm, L.ffn_norm + c.dim);
    s.wq = rows(L.wq, share.head_begin * hd, share.head_end * hd);
    s.wk = rows(L.wk, share.kv_begin * hd, share.kv_end * hd);
    s.wv = rows(L.wv, share.kv_begin * hd, share.kv_end * hd);
    s.wo = cols(L.wo, share.head_begin * hd, share.head_end * hd, "attn_output");
    s.w_gate = rows(L.w_gate, share.unit_begin, share.unit_end);
    s.w_up = rows(L.w_up, share.unit_begin, share.unit_end);
    s.w_down = cols(L.w_down, share.unit_begin, share.unit_end, "ffn_down");
    for (const ShardMatrix* m : {&s.wq, &s.wk, &s.wv, &s.wo, &s.w_gate, &s.w_up, &s.w_down})
      sh.weight_bytes += m->view.bytes();
    sh.layers.push_back(std::move(s));
  }
  return sh;
}

}  // namespace airtp
