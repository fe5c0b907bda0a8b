// Serving under mpirun: rank 0 runs the HTTP server and every other rank follows. Before each
// generation rank 0 sends its parameters to all ranks, which then run the same generation
// (their part of every forward pass; the root samples and decides, see generation.h); when the
// server ends, rank 0 sends a stop. In-process there is no other rank and these cost nothing.
#pragma once
#include "runtime/session.h"
#include "runtime/generation.h"

namespace airtp::serve {

// Rank 0: the generation every rank is about to run.
void announce_generation(Session& s, const GenerationParams& p);
// Rank 0: the server has ended; the followers return from follow().
void announce_stop(Session& s);
// Every other rank: runs the announced generations until the stop. Waits for the next request
// without the MPI deadline (a server idles as long as no client asks); a dead rank 0 ends the
// job through the launcher.
void follow(Session& s);

}  // namespace airtp::serve
