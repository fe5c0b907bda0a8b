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

// A point-to-point message of a collective, from one device of the job to another.
struct Message {
  int from = 0, to = 0;
  std::span<std::byte> data;  // sends: the bytes to send; receives: where they land (same size)
};

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
  // The same, for a process that idles until the root has work (a server's followers between
  // requests): no deadline, since the wait lasts as long as no client asks, and a gentler poll.
  // A root that dies ends the job through the launcher.
  virtual void broadcast_unbounded(std::span<std::byte> data, int root_device) { broadcast(data, root_device); }

  // Point-to-point, as a collective's protocol prescribes: every process passes the messages its
  // devices send and those they receive (both sides know the protocol, so the lists agree);
  // returns when all are complete. At most one message per (from, to) pair per call.
  void exchange(std::span<const Message> sends, std::span<const Message> receives);
  // Bytes each device has sent and received through exchange() (global ids; a process counts
  // its own devices): what the links really carried, not a model of it.
  const std::vector<uint64_t>& bytes_sent() const { return sent_; }
  const std::vector<uint64_t>& bytes_received() const { return received_; }

 protected:
  virtual void do_exchange(std::span<const Message> sends, std::span<const Message> receives) = 0;

 private:
  std::vector<uint64_t> sent_, received_;
};

// The embedded default: all n devices in this process.
std::unique_ptr<Transport> make_inprocess_transport(int n_devices);

#ifdef AIRTP_WITH_MPI
// One device per MPI rank. MPI is initialised on first use (and finalised at exit), so a run
// that is not distributed never pays for it. Collectives that do not complete within
// `timeout_s` abort the job with a message naming the collective and the rank, so a dead or
// stalled rank never hangs the others.
std::unique_ptr<Transport> make_mpi_transport(double timeout_s);
#endif

// Whether this process looks started by an MPI launcher (mpirun/mpiexec of OpenMPI, MPICH,
// PMIx-based launchers): the default of a front end's transport choice, which states it and can
// be overridden. Asking MPI itself would cost an MPI_Init (seconds) in every process.
bool mpi_launcher_detected();


}  // namespace airtp
