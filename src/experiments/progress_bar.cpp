#include "experiments/progress_bar.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "experiments/experiment_output.h"

namespace airtp {

ProgressBar::ProgressBar(std::string label, std::FILE* out, bool enabled)
    : label_(std::move(label)), out_(out), enabled_(enabled && out != nullptr),
      start_(std::chrono::steady_clock::now()), last_draw_(start_ - std::chrono::seconds(1)) {}

ProgressBar::~ProgressBar() {
  // An exception unwound past us: end the line so the error message starts on its own.
  if (enabled_ && !finished_ && last_width_ > 0) std::fputc('\n', out_);
}

void ProgressBar::update(double fraction, std::string_view status) {
  if (!enabled_ || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(120)) return;
  last_draw_ = now;
  draw(fraction, status);
}

void ProgressBar::finish(std::string_view status) {
  if (!enabled_ || finished_) return;
  draw(1.0, status);
  std::fputc('\n', out_);
  std::fflush(out_);
  finished_ = true;
}

void ProgressBar::draw(double fraction, std::string_view status) {
  fraction = std::clamp(std::isfinite(fraction) ? fraction : 0.0, 0.0, 1.0);
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string eta = "ETA ?";
  if (fraction >= 1)
    eta = "took " + format_duration(elapsed);
  else if (fraction > 0.005 && elapsed > 0.5)
    eta = "ETA " + format_duration(elapsed * (1 - fraction) / fraction);
  std::string line = fmt::format("{} [{}{}] {:3.0f}%  {}", label_, std::string(static_cast<size_t>(filled), '#'),
                                 std::string(static_cast<size_t>(kWidth - filled), '.'), 100 * fraction, eta);
  if (!status.empty()) line += fmt::format("  {}", status);
  const size_t width = line.size();
  if (width < last_width_) line += std::string(last_width_ - width, ' ');  // erase the old tail
  last_width_ = width;
  std::fprintf(out_, "\r%s", line.c_str());
  std::fflush(out_);
}

}  // namespace airtp
