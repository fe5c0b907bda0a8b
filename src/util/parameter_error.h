// A bad value of a named parameter. The library names its parameters the way its structs do
// ("threads", "rx_antennas"); each front end maps the name to its own spelling (the CLI to
// "--threads"), so the same message reads right from a test, a server or the command line.
#pragma once
#include <stdexcept>
#include <string>

namespace airtp {

class ParameterError : public std::invalid_argument {
 public:
  // what() is "<parameter> <problem>", e.g. "threads 300 is outside 0..256".
  ParameterError(std::string parameter, std::string problem)
      : std::invalid_argument(parameter + " " + problem),
        parameter_(std::move(parameter)),
        problem_(std::move(problem)) {}
  const std::string& parameter() const { return parameter_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string parameter_, problem_;
};

}  // namespace airtp
