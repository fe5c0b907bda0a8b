#include "tp/shard.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "model/mapped_file.h"

namespace airtp {
namespace {

ShardMatrix rows(const Matrix& m, int r0, int r1, bool mapped) {
  ShardMatrix s;
  if (r0 == 0 && r1 == m.rows) {
    s.view = m;
  } else {
    s.owned = slice_rows(m, r0, r1);
    s.view = s.owned.view;
    // Only this device's rows were read, but the pages at the edges of the range are shared with
    // the neighbours' rows: drop the whole matrix from this process's memory.
    if (mapped) release_mapped_pages(m.data, m.bytes());
  }
  return s;
}

ShardMatrix cols(const Matrix& m, int c0, int c1, bool mapped) {
  ShardMatrix s;
  s.used_cols = c1 - c0;
  const int b = block_size(m.type);
  const int b0 = c0 / b * b, b1 = c1 == c0 ? c0 / b * b : (c1 + b - 1) / b * b;
  s.pad_front = c0 - b0;
  if (b0 == 0 && b1 == m.cols) {
    s.view = m;
    return s;
  }
  s.owned = slice_cols(m, b0, b1);
  s.view = s.owned.view;
  // A column range touches a piece of every row, i.e. (rows under a page) every page.
  if (mapped) release_mapped_pages(m.data, m.bytes());
  return s;
}

}  // namespace

const float* ShardMatrix::input(const float* x, int T, std::vector<float>& buf) const {
  if (!padded()) return x;
  const size_t w = static_cast<size_t>(view.cols);
  buf.assign(w * static_cast<size_t>(T), 0.0f);
  for (int t = 0; t < T; ++t)
    std::copy_n(x + static_cast<size_t>(t) * used_cols, used_cols, buf.data() + static_cast<size_t>(t) * w + pad_front);
  return buf.data();
}

Shard make_shard(const Model& model, const DeviceShare& share) {
  const auto& c = model.config;
  const int hd = c.head_dim();
  Shard sh;
  sh.share = share;
  for (const auto& L : model.weights.layers) {
    ShardLayer s;
    s.attn_norm.assign(L.attn_norm, L.attn_norm + c.dim);
    s.ffn_norm.assign(L.ffn_norm, L.ffn_norm + c.dim);
    const bool mp = model.weights_mapped;
    s.wq = rows(L.wq, share.head_begin * hd, share.head_end * hd, mp);
    s.wk = rows(L.wk, share.kv_begin * hd, share.kv_end * hd, mp);
    s.wv = rows(L.wv, share.kv_begin * hd, share.kv_end * hd, mp);
    s.wo = cols(L.wo, share.head_begin * hd, share.head_end * hd, mp);
    s.w_gate = rows(L.w_gate, share.unit_begin, share.unit_end, mp);
    s.w_up = rows(L.w_up, share.unit_begin, share.unit_end, mp);
    s.w_down = cols(L.w_down, share.unit_begin, share.unit_end, mp);
    for (const ShardMatrix* m : {&s.wq, &s.wk, &s.wv, &s.wo, &s.w_gate, &s.w_up, &s.w_down})
      sh.weight_bytes += m->view.bytes();
    sh.layers.push_back(std::move(s));
  }
  return sh;
}

std::string describe_block_cuts(const Model& model, const Plan& plan) {
  const auto& c = model.config;
  const LayerWeights& L = model.weights.layers.at(0);
  std::string out;
  for (int d = 0; d < plan.n_devices(); ++d) {
    const DeviceShare& sh = plan.devices[static_cast<size_t>(d)];
    std::string parts;
    auto note = [&](const char* name, const Matrix& m, int c0, int c1) {
      const int b = block_size(m.type);
      if (c0 == c1 || (c0 % b == 0 && c1 % b == 0)) return;
      const int width = (c1 + b - 1) / b * b - c0 / b * b;
      parts += fmt::format("{}{} columns {}..{} in {}-value {} blocks: holds {} (+{:.0f}%)", parts.empty() ? "" : "; ",
                           name, c0, c1, b, dtype_name(m.type), width, 100.0 * (width - (c1 - c0)) / (c1 - c0));
    };
    note("attn_output", L.wo, sh.head_begin * c.head_dim(), sh.head_end * c.head_dim());
    note("ffn_down", L.w_down, sh.unit_begin, sh.unit_end);
    if (!parts.empty())
      out += fmt::format("device {}: cut inside blocks, kept whole and multiplied with zeros outside its columns: {}\n", d, parts);
  }
  return out;
}

}  // namespace airtp
