// One device per MPI rank. Collectives are issued non-blocking and polled with a deadline: a
// blocking MPI call would wait forever for a rank that stalls, and OpenMPI's busy-polling would
// also starve the other ranks of an oversubscribed machine.
#include <mpi.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

#include "comm/transport.h"
#include "util/parameter_error.h"

namespace airtp {
namespace {

class MpiTransport final : public Transport {
 public:
  explicit MpiTransport(double timeout_s) : timeout_s_(timeout_s) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    local_ = {rank_};
  }
  std::string name() const override { return fmt::format("mpi ({} ranks)", size_); }
  int n_devices() const override { return size_; }
  const std::vector<int>& local_devices() const override { return local_; }
  bool is_root() const override { return rank_ == 0; }

  void sum(std::span<float> d) override { allreduce(d.data(), static_cast<int>(d.size()), MPI_FLOAT, MPI_SUM, "sum(float)"); }
  void sum(std::span<double> d) override { allreduce(d.data(), static_cast<int>(d.size()), MPI_DOUBLE, MPI_SUM, "sum(double)"); }
  void max(std::span<double> d) override { allreduce(d.data(), static_cast<int>(d.size()), MPI_DOUBLE, MPI_MAX, "max(double)"); }
  void broadcast(std::span<std::byte> d, int root) override {
    MPI_Request req;
    MPI_Ibcast(d.data(), static_cast<int>(d.size()), MPI_BYTE, root, MPI_COMM_WORLD, &req);
    wait(req, "broadcast");
  }
  void broadcast_unbounded(std::span<std::byte> d, int root) override {
    MPI_Request req;
    MPI_Ibcast(d.data(), static_cast<int>(d.size()), MPI_BYTE, root, MPI_COMM_WORLD, &req);
    for (int done = 0; MPI_Test(&req, &done, MPI_STATUS_IGNORE), !done;) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

 protected:
  // One device per rank: a send from this rank's device, a receive into it. The tag is the
  // sender's device, so several messages to one device are told apart.
  void do_exchange(std::span<const Message> sends, std::span<const Message> receives) override {
    std::vector<MPI_Request> reqs;
    for (const auto& m : receives)
      if (m.to == rank_) {
        reqs.emplace_back();
        MPI_Irecv(m.data.data(), static_cast<int>(m.data.size()), MPI_BYTE, m.from, m.from, MPI_COMM_WORLD, &reqs.back());
      }
    for (const auto& m : sends)
      if (m.from == rank_) {
        reqs.emplace_back();
        MPI_Isend(m.data.data(), static_cast<int>(m.data.size()), MPI_BYTE, m.to, m.from, MPI_COMM_WORLD, &reqs.back());
      }
    for (auto& r : reqs) wait(r, "exchange");
  }

 private:
  void allreduce(void* data, int n, MPI_Datatype type, MPI_Op op, const char* what) {
    MPI_Request req;
    MPI_Iallreduce(MPI_IN_PLACE, data, n, type, op, MPI_COMM_WORLD, &req);
    wait(req, what);
  }

  void wait(MPI_Request& req, const char* what) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s_);
    int done = 0;
    for (int spin = 0;; ++spin) {
      MPI_Test(&req, &done, MPI_STATUS_IGNORE);
      if (done) return;
      if (spin < 200) std::this_thread::yield();
      else std::this_thread::sleep_for(std::chrono::microseconds(50));
      if (std::chrono::steady_clock::now() > deadline) {
        std::fprintf(stderr,
                     "airtp: error: rank %d: collective %s did not complete within %.1f s: another "
                     "rank died or stalled; aborting the job (the MPI timeout, mpi_timeout, sets the limit)\n",
                     rank_, what, timeout_s_);
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 3);
        std::_Exit(3);
      }
    }
  }

  double timeout_s_;
  int rank_ = 0, size_ = 1;
  std::vector<int> local_;
};

}  // namespace

void ensure_mpi_initialized();

std::unique_ptr<Transport> make_mpi_transport(double timeout_s) {
  if (!(timeout_s > 0)) throw ParameterError("mpi_timeout", fmt::format("{} must be > 0 seconds", timeout_s));
  ensure_mpi_initialized();
  return std::make_unique<MpiTransport>(timeout_s);
}

namespace {
// MPI_Init once, on the first MPI transport; MPI_Finalize when the process ends normally.
struct MpiRuntime {
  MpiRuntime() {
    int done = 0;
    MPI_Initialized(&done);
    if (!done) MPI_Init(nullptr, nullptr);
  }
  ~MpiRuntime() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }
};
}  // namespace

void ensure_mpi_initialized() { static MpiRuntime runtime; }

}  // namespace airtp
