// How the processes of a job talk to each other. In-process: one process runs every device and
// the collectives are identities. MPI: one rank per device. The all-reduce schemes are written
// once on top of these few collectives, so each works over both transports.
#pragma once
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace airtp {

class Transport {
 public:
  virtual ~Transport() = default;
  virtual std::string name() const = 0;
  virtual int n_devices() const = 0;                 // devices in the whole job
  virtual const std::vector<int>& local_devices() const = 0;  // global ids run by this process
  virtual bool is_root() const = 0;                  // the process that runs device 0

  // Element-wise sum / max over processes; every process gets the result.
  virtual void sum(std::span<float> data) = 0;
  virtual void sum(std::span<double> data) = 0;
  virtual void max(std::span<double> data) = 0;
  // Copies `data` from the process that runs `root_device` to every process.
  virtual void broadcast(std::span<std::byte> data, int root_device) = 0;
};

// The embedded default: all n devices in this process.
std::unique_ptr<Transport> make_inprocess_transport(int n_devices);

#ifdef AIRTP_WITH_MPI
// One device per MPI rank. MPI must already be initialised (see MpiSession). Collectives that
// do not complete within `timeout_s` abort the job with a message naming the collective and the
// rank, so a dead or stalled rank never hangs the others.
std::unique_ptr<Transport> make_mpi_transport(double timeout_s);

// RAII MPI_Init/MPI_Finalize; active() is false when the program was not started by mpirun.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  static bool launched_by_mpirun();
  bool active() const { return active_; }
 private:
  bool active_ = false;
};
#endif

}  // namespace airtp
