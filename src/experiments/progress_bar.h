// Progress of a long computation on a terminal.
#pragma once
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

namespace airtp {

// A one-line bar redrawn with '\r': "label [#####.....]  45%  ETA 1m20s  status". The caller
// states the total work in any unit (e.g. estimated seconds) and reports progress in it; the ETA
// extrapolates the elapsed time. Redraws at most ~8 times per second.
class ProgressBar {
 public:
  ProgressBar(std::string label, std::FILE* out = stderr, bool enabled = true);
  ~ProgressBar();
  // fraction in [0, 1] (clamped).
  void update(double fraction, std::string_view status = {});
  // Draws 100% and ends the line.
  void finish(std::string_view status = {});

 private:
  void draw(double fraction, std::string_view status);
  std::string label_;
  std::FILE* out_;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
  size_t last_width_ = 0;
};

}  // namespace airtp
