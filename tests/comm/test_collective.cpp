// Codecs and the wired collectives of the digital all-reduce: the bytes are the codec's byte
// model, decode(encode(x)) is the quantizer's reference round trip, every device ends with the
// same sum, each collective's arithmetic is the one its description states, and what the
// transport counts is what collective_bytes predicts.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "comm/collective.h"
#include "tensor/fp16.h"

namespace airtp {
namespace {

std::vector<float> gaussian(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = g(rng);
  return v;
}

TEST(BlockCodec, DecodeOfEncodeIsTheQuantizersRoundTripAndBytesAreItsModel) {
  for (int bits = 2; bits <= 16; ++bits)
    for (int block : {1, 7, 32, 100})
      for (size_t n : {size_t{1}, size_t{31}, size_t{32}, size_t{1000}}) {
        const BlockQuantizer q{bits, block};
        const auto codec = make_block_codec(q);
        auto x = gaussian(n, static_cast<uint64_t>(bits * 1000 + block));
        x[0] = 0.0f;  // a zero and a block that may be all-zero are part of the contract
        std::vector<std::byte> bytes(codec->bytes(n));
        ASSERT_EQ(bytes.size(), q.wire_bytes(n));
        codec->encode(x, bytes);
        std::vector<float> back(n);
        codec->decode(bytes, back);
        std::vector<float> ref = x;
        q.round_trip(ref);
        ASSERT_EQ(back, ref) << bits << " bits, block " << block << ", n " << n;
      }
}

TEST(FloatCodecs, F32IsExactF16RoundsToHalf) {
  const auto x = gaussian(257, 1);
  for (const auto& codec : {make_f32_codec(), make_f16_codec()}) {
    std::vector<std::byte> b(codec->bytes(x.size()));
    codec->encode(x, b);
    std::vector<float> y(x.size());
    codec->decode(b, y);
    for (size_t i = 0; i < x.size(); ++i) {
      if (codec->name() == "f32") ASSERT_EQ(y[i], x[i]);
      else ASSERT_EQ(y[i], fp16_to_fp32(fp32_to_fp16(x[i])));
    }
  }
}

struct Sums {
  std::vector<std::vector<float>> in, out;
};

Sums run(Collective c, int n, size_t d, const Codec& up, const Codec& down, Transport& t) {
  Sums r;
  for (int i = 0; i < n; ++i) r.in.push_back(gaussian(d, 50 + static_cast<uint64_t>(i)));
  r.out = r.in;
  std::vector<std::span<float>> spans(r.out.begin(), r.out.end());
  collective_sum(c, t, up, down, spans);
  return r;
}

TEST(Collectives, EveryDeviceGetsTheSameSumAndTheBytesOfTheModel) {
  const auto codec = make_block_codec({8, 32});
  for (Collective c : {Collective::Mesh, Collective::Star, Collective::Ring})
    for (int n : {2, 3, 5})
      for (size_t d : {size_t{40}, size_t{1000}, size_t{4096}}) {  // 40: fewer blocks than ring segments
        SCOPED_TRACE(collective_name(c) + " n=" + std::to_string(n) + " d=" + std::to_string(d));
        auto t = make_inprocess_transport(n);
        const Sums r = run(c, n, d, *codec, *codec, *t);
        for (int i = 1; i < n; ++i) ASSERT_EQ(r.out[static_cast<size_t>(i)], r.out[0]);
        const CollectiveBytes model = collective_bytes(c, n, d, *codec, *codec);
        EXPECT_EQ(t->bytes_sent(), model.sent);
        EXPECT_EQ(t->bytes_received(), model.received);
        // Close to the exact sum: within the quantizer's half-steps, a few per value.
        double err = 0, ref = 0;
        for (size_t i = 0; i < d; ++i) {
          double e = 0;
          for (const auto& v : r.in) e += v[i];
          err += (r.out[0][i] - e) * (r.out[0][i] - e);
          ref += e * e;
        }
        EXPECT_LT(err / ref, 1e-3);
      }
}

TEST(Collectives, MeshIsTheSumOfTheDecodedPartialsInDeviceOrder) {
  const BlockQuantizer q{6, 32};
  const auto codec = make_block_codec(q);
  auto t = make_inprocess_transport(4);
  const Sums r = run(Collective::Mesh, 4, 777, *codec, *codec, *t);
  std::vector<float> want(777, 0.0f);
  for (auto v : r.in) {
    q.round_trip(v);
    for (size_t i = 0; i < v.size(); ++i) want[i] += v[i];
  }
  EXPECT_EQ(r.out[0], want);
}

TEST(Collectives, StarSendsTheRootsSumBackInTheDownCode) {
  const BlockQuantizer q{8, 32};
  const auto up = make_block_codec(q), down = make_f16_codec();
  auto t = make_inprocess_transport(3);
  const Sums r = run(Collective::Star, 3, 500, *up, *down, *t);
  std::vector<float> sum(500, 0.0f);
  for (auto v : r.in) {
    q.round_trip(v);
    for (size_t i = 0; i < v.size(); ++i) sum[i] += v[i];
  }
  for (size_t i = 0; i < sum.size(); ++i) ASSERT_EQ(r.out[0][i], fp16_to_fp32(fp32_to_fp16(sum[i])));
  // The root receives two uploads and sends two copies of the fp16 sum.
  EXPECT_EQ(t->bytes_received()[0], 2 * q.wire_bytes(500));
  EXPECT_EQ(t->bytes_sent()[0], 2 * 2 * 500u);
}

TEST(Collectives, LosslessRingIsExactUpToAdditionOrder) {
  const auto f32 = make_f32_codec();
  auto t = make_inprocess_transport(5);
  const Sums r = run(Collective::Ring, 5, 1003, *f32, *f32, *t);
  for (size_t i = 0; i < 1003; ++i) {
    double e = 0;
    for (const auto& v : r.in) e += v[i];
    ASSERT_NEAR(r.out[0][i], e, 1e-5);
  }
  // Each device moves 2 (N-1) / N of the vector: 8/5 x 1003 x 4 bytes, up to the uneven split.
  EXPECT_NEAR(static_cast<double>(t->bytes_sent()[0]), 8.0 / 5 * 1003 * 4, 2 * 4 * 8);
}

TEST(Collectives, SegmentsCoverTheVectorOnBlockBoundaries) {
  for (int n : {1, 2, 3, 8})
    for (size_t d : {size_t{0}, size_t{5}, size_t{64}, size_t{1000}}) {
      const auto s = ring_segments(n, d, 32);
      ASSERT_EQ(s.size(), static_cast<size_t>(n));
      size_t at = 0;
      for (const auto& [b, e] : s) {
        EXPECT_EQ(b, at);
        EXPECT_LE(b, e);
        if (e != d) {
          EXPECT_EQ(e % 32, 0u);
        }
        at = e;
      }
      EXPECT_EQ(at, d);
    }
}

}  // namespace
}  // namespace airtp
