#pragma once
#include <stdexcept>
#include <string>

namespace airtp {

// Any problem with a model file: the message names the file and what is wrong with it.
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace airtp
