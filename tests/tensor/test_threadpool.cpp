// ThreadPool: every index of [0, n) visited exactly once in contiguous, balanced chunks, for
// many n and pool sizes; repeated use; exceptions and nested calls; clean destruction.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "tensor/threadpool.h"

namespace airtp {
namespace {

TEST(ThreadPool, CoversEveryIndexExactlyOnce) {
  for (int size = 1; size <= 5; ++size) {
    ThreadPool pool(size);
    EXPECT_EQ(pool.size(), size);
    for (int64_t n : {0, 1, 2, 3, 4, 5, 6, 7, 13, 97, 1000, 1001, 4099}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      std::mutex mu;
      std::vector<std::pair<int64_t, int64_t>> chunks;
      pool.parallel_for(n, [&](int64_t b, int64_t e) {
        {
          std::lock_guard<std::mutex> lock(mu);
          chunks.emplace_back(b, e);
        }
        for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
      });
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << "size " << size << " n " << n;
      }
      // At most one chunk per thread, none empty, lengths within one of each other.
      ASSERT_LE(chunks.size(), static_cast<size_t>(size));
      int64_t lo = n, hi = 0;
      for (auto [b, e] : chunks) {
        ASSERT_LT(b, e);
        lo = std::min(lo, e - b);
        hi = std::max(hi, e - b);
      }
      if (!chunks.empty()) {
        ASSERT_LE(hi - lo, 1) << "size " << size << " n " << n;
        ASSERT_EQ(chunks.size(), static_cast<size_t>(std::min<int64_t>(n, size)));
      }
    }
  }
}

TEST(ThreadPool, ManyRepeatedCalls) {
  ThreadPool pool(3);
  std::atomic<int64_t> total{0};
  int64_t expect = 0;
  for (int rep = 0; rep < 3000; ++rep) {
    const int64_t n = rep % 50;
    pool.parallel_for(n, [&](int64_t b, int64_t e) {
      int64_t s = 0;
      for (int64_t i = b; i < e; ++i) s += i;
      total += s;
    });
    expect += n * (n - 1) / 2;
  }
  EXPECT_EQ(total.load(), expect);
}

TEST(ThreadPool, ExceptionReachesTheCallerAndPoolStaysUsable) {
  ThreadPool pool(3);
  for (int rep = 0; rep < 20; ++rep) {
    EXPECT_THROW(pool.parallel_for(300,
                                   [&](int64_t b, int64_t e) {
                                     if (b <= 299 && 299 < e) throw std::runtime_error("boom");
                                   }),
                 std::runtime_error);
  }
  std::atomic<int> count{0};
  pool.parallel_for(300, [&](int64_t b, int64_t e) { count += static_cast<int>(e - b); });
  EXPECT_EQ(count.load(), 300);
}

TEST(ThreadPool, NestedCallRunsInline) {
  ThreadPool pool(2);
  std::atomic<int> count{0};
  pool.parallel_for(4, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      pool.parallel_for(10, [&](int64_t b2, int64_t e2) { count += static_cast<int>(e2 - b2); });
    }
  });
  EXPECT_EQ(count.load(), 40);
}

TEST(ThreadPool, ConstructionAndDestruction) {
  EXPECT_THROW(ThreadPool(0), std::invalid_argument);
  for (int i = 0; i < 50; ++i) {
    ThreadPool idle(4);  // destroyed without ever running a job
  }
  for (int i = 0; i < 50; ++i) {
    ThreadPool pool(2);
    std::atomic<int> c{0};
    pool.parallel_for(2, [&](int64_t b, int64_t e) { c += static_cast<int>(e - b); });
    EXPECT_EQ(c.load(), 2);
  }
}

}  // namespace
}  // namespace airtp
