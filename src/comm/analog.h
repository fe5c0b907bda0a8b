// What the analog schemes (AirComp and uncoded FDMA) share: the moments each device sends
// digitally before the air, and the air time of their symbols.
#pragma once
#include <span>
#include <vector>

#include "comm/scheme.h"
#include "comm/transport.h"
#include "wireless/aircomp_signal.h"

namespace airtp {

// Mean and variance of every device's partial, known to every process: each fills in its own
// devices and a transport sum completes the vector (2N numbers, sent error-free).
std::vector<PartialMoments> exchange_moments(Transport& t, std::span<const std::span<float>> parts);

// ceil(values / (kappa L)) channel uses per device. `sub_bands` = 1: every device at once on the
// whole band (AirComp); N: each device on its own B/N sub-band, N times longer (FDMA). Then the
// server broadcasts the result. Symbols count as complex float32 (8 bytes) per stream and use.
AllReduceTime analog_link_time(const LinkConfig& link, const LinkRates& rates, long long values, int sub_bands);

}  // namespace airtp
