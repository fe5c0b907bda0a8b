// Errors of the simulation layer (scenarios, latency model, assignment inputs).
#pragma once
#include <stdexcept>

namespace airtp {

// Bad scenario / model-shape / device input: the message names the source, the field and the
// allowed range, so a user can fix the file without reading code.
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace airtp
