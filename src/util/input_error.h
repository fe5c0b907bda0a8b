// Bad content of an input that describes something (a scenario file, a model shape, a device
// profile, experiment parameters): the message names the source, the field and the allowed
// values, so a user can fix the input without reading code.
#pragma once
#include <stdexcept>

namespace airtp {

class InputError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace airtp
