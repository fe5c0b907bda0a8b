#include "tensor/threadpool.h"

#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace airtp {
namespace {

// How long an idle thread polls before it sleeps. Long enough to bridge the single-threaded
// work between two kernels of a forward pass (norms, RoPE, attention of a small model), short
// enough that an idle pool does not take a core from another process for long.
constexpr auto kSpinBudget = std::chrono::microseconds(30);

// Polls `done` until it returns true or the spin budget runs out; returns its last answer.
// The first polls use the CPU's pause hint (sub-microsecond hand-offs when the machine is
// idle); after that each poll yields, so that on an oversubscribed machine the threads that
// have work to do (often this pool's own other threads) get the core instead of the poller.
template <class Pred>
bool spin_until(Pred done) {
  for (int i = 0; i < 256; ++i) {
    if (done()) return true;
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
  }
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    if (done()) return true;
    std::this_thread::yield();
    if (std::chrono::steady_clock::now() - start > kSpinBudget) return done();
  }
}

// The pool whose job the current thread is running, so that a nested parallel_for (a kernel
// called from inside another kernel's chunk) runs inline instead of deadlocking on the pool.
thread_local const ThreadPool* t_running_pool = nullptr;

struct RunningGuard {
  const ThreadPool* saved;
  explicit RunningGuard(const ThreadPool* p) : saved(t_running_pool) { t_running_pool = p; }
  ~RunningGuard() { t_running_pool = saved; }
};

// Chunk i of n split into `parts` contiguous pieces whose lengths differ by at most one.
inline int64_t chunk_begin(int64_t n, int parts, int i) {
  return n / parts * i + (i < n % parts ? i : n % parts);
}

// What a parallel_for hands to the workers: the user's function and the first exception any
// chunk threw, so it can be rethrown on the caller's thread instead of terminating a worker.
struct JobContext {
  const std::function<void(int64_t, int64_t)>* fn;
  std::mutex mu;
  std::exception_ptr error;
};

}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads) {
  if (n_threads < 1) {
    throw std::invalid_argument("ThreadPool: n_threads must be >= 1, got " +
                                std::to_string(n_threads));
  }
  threads_.reserve(static_cast<size_t>(n_threads - 1));
  try {
    for (int i = 1; i < n_threads; ++i) threads_.emplace_back(&ThreadPool::worker, this, i);
  } catch (...) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_start_.notify_all();
    for (auto& t : threads_) t.join();
    throw;
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_start_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::worker(int index) {
  uint64_t seen = 0;
  for (;;) {
    auto started = [&] {
      return stop_.load(std::memory_order_acquire) ||
             generation_.load(std::memory_order_acquire) != seen;
    };
    if (!spin_until(started)) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_start_.wait(lock, started);
    }
    if (stop_.load(std::memory_order_acquire)) return;
    // job_ and job_n_ were written before the release store of generation_ read above.
    seen = generation_.load(std::memory_order_acquire);
    const auto* job = job_;
    const int64_t n = job_n_;
    const int64_t b = chunk_begin(n, n_threads_, index);
    const int64_t e = chunk_begin(n, n_threads_, index + 1);
    if (b < e) {
      RunningGuard guard(this);
      (*job)(b, e);  // the wrapper installed by parallel_for never throws
    }
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // Taking the mutex orders this notify after the caller's predicate check, or before its
      // wait: the wake-up cannot be lost.
      std::lock_guard<std::mutex> lock(mu_);
      cv_done_.notify_one();
    }
  }
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (n_threads_ == 1 || n == 1 || t_running_pool == this) {
    fn(0, n);
    return;
  }
  JobContext ctx{&fn, {}, {}};
  // Captures one pointer so std::function keeps it in its small buffer: no allocation per call.
  const std::function<void(int64_t, int64_t)> wrapped = [c = &ctx](int64_t b, int64_t e) {
    try {
      (*c->fn)(b, e);
    } catch (...) {
      std::lock_guard<std::mutex> lock(c->mu);
      if (!c->error) c->error = std::current_exception();
    }
  };
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = &wrapped;
    job_n_ = n;
    pending_.store(n_threads_ - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  cv_start_.notify_all();
  {
    RunningGuard guard(this);
    wrapped(0, chunk_begin(n, n_threads_, 1));
  }
  auto finished = [&] { return pending_.load(std::memory_order_acquire) == 0; };
  if (!spin_until(finished)) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_done_.wait(lock, finished);
  }
  if (ctx.error) std::rethrow_exception(ctx.error);
}

}  // namespace airtp
