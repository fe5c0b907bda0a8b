// The exact all-reduce: the float32 sum with no error, over an ideal link that costs a fixed
// latency (default 0). The reference every other scheme is measured against.
#pragma once
#include <memory>

#include "comm/scheme.h"

namespace airtp {

Scheme exact_scheme();
std::unique_ptr<AllReduce> make_exact_allreduce(Transport& t, double latency_s = 0);

}  // namespace airtp
