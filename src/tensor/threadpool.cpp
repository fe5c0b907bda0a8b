#include "tensor/threadpool.h"

#include <exception>
#include <stdexcept>
#include <string>

namespace airtp {
namespace {

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
    const std::function<void(int64_t, int64_t)>* job;
    int64_t n;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_start_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
      n = job_n_;
    }
    const int64_t b = chunk_begin(n, n_threads_, index);
    const int64_t e = chunk_begin(n, n_threads_, index + 1);
    if (b < e) {
      RunningGuard guard(this);
      (*job)(b, e);  // the wrapper installed by parallel_for never throws
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (--pending_ == 0) cv_done_.notify_one();
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
    pending_ = n_threads_ - 1;
    ++generation_;
  }
  cv_start_.notify_all();
  {
    RunningGuard guard(this);
    wrapped(0, chunk_begin(n, n_threads_, 1));
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_done_.wait(lock, [&] { return pending_ == 0; });
    job_ = nullptr;
  }
  if (ctx.error) std::rethrow_exception(ctx.error);
}

}  // namespace airtp
