// A fixed pool of worker threads for data-parallel kernels. The calling thread takes part in
// the work, so ThreadPool(1) runs everything inline with no synchronisation at all.
//
// Idle workers spin for a few tens of microseconds (the gap between two kernels of one forward
// pass) and then sleep on a condition variable, so back-to-back calls cost well under a
// microsecond to start while an idle pool takes no CPU from other processes.
// parallel_for is meant to be called by one thread at a time; a call made from inside a running
// chunk (a nested kernel) runs inline on the calling thread.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace airtp {

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);  // n_threads >= 1 (includes the caller)
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Calls fn(begin, end) on disjoint chunks covering [0, n); returns when all are done.
  // Chunks are contiguous and about n / size() long, so each thread streams its own rows.
  void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn);

 private:
  void worker(int index);
  int n_threads_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_start_, cv_done_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_n_ = 0;
  // Atomic so that spinning threads can watch them without the mutex; they are still only
  // changed under mu_, which is what the condition-variable waits rely on.
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace airtp
