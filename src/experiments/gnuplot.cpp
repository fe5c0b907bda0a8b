#include "experiments/gnuplot.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "experiments/experiment_output.h"

namespace airtp {

namespace fs = std::filesystem;

namespace {

std::string quoted(const std::string& path) {
  std::string q = "'";
  for (char c : path) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

std::string pass(const GnuplotFigure& fig, const std::string& terminal, const std::string& output) {
  return fmt::format(
      "reset\n"
      "set terminal {}\n"
      "set output {}\n"
      "set datafile separator ','\n"
      "set datafile columnheaders\n"
      "set grid lc rgb '#dddddd'\n"
      "set key autotitle columnheader\n"
      "{}\n"
      "unset output\n",
      terminal, quoted(output), fig.body);
}

}  // namespace

std::string series_color(int i) {
  static const char* kPalette[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"};
  constexpr int n = sizeof kPalette / sizeof kPalette[0];
  return fmt::format("lc rgb '{}'", kPalette[((i % n) + n) % n]);
}

std::string gnuplot_script(const GnuplotFigure& fig, const std::string& png_path, const std::string& svg_path) {
  std::string s = fmt::format(
      "# Figure '{}' of `airtp experiment`. Redraw with `gnuplot {}.gp` in this directory.\n", fig.name, fig.name);
  s += pass(fig, fmt::format("pngcairo size {},{} enhanced font 'DejaVu Sans,11'", fig.width, fig.height), png_path);
  s += pass(fig, fmt::format("svg size {},{} dynamic enhanced font 'DejaVu Sans,11' background '#ffffff'",
                             fig.width, fig.height),
            svg_path);
  return s;
}

std::string find_gnuplot() {
  if (const char* env = std::getenv("AIRTP_GNUPLOT")) {
    const std::string p = env;
    return !p.empty() && ::access(p.c_str(), X_OK) == 0 ? p : std::string();
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const std::string p = dir + "/gnuplot";
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return {};
}

namespace {

// Runs `exe script` with working directory `dir`; stderr goes to `err_path`. Returns the exit
// status (or -1 if it could not be started / was killed).
int run_in(const std::string& exe, const std::string& script, const std::string& dir, const std::string& err_path) {
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec (the parent has threads).
    // gnuplot ends with airtp (interrupted, killed): it must not go on writing into the results.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);  // airtp died before the line above
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    const int fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    char* argv[] = {const_cast<char*>(exe.c_str()), const_cast<char*>(script.c_str()), nullptr};
    ::execv(exe.c_str(), argv);
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_text(const std::string& path, size_t max = 2000) {
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (s.size() > max) s = s.substr(0, max) + "...";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string render_figure(const GnuplotFigure& fig, const std::string& dir) {
  if (fig.name.empty() || fig.name.find('/') != std::string::npos)
    throw std::invalid_argument(fmt::format("figure name '{}' must be a plain file stem", fig.name));
  const std::string png = fig.name + ".png", svg = fig.name + ".svg";
  write_file_atomic((fs::path(dir) / (fig.name + ".gp")).string(), gnuplot_script(fig, png, svg));
  const std::string exe = find_gnuplot();
  if (exe.empty()) return "gnuplot not found (install gnuplot-nox); data and .gp script written, no PNG/SVG";

  // Render into temporaries, so an interrupted or failing gnuplot never leaves a partial image.
  const std::string tmp_script = fig.name + ".gp.render.tmp";
  const std::string err = (fs::path(dir) / (fig.name + ".gp.err.tmp")).string();
  write_file_atomic((fs::path(dir) / tmp_script).string(), gnuplot_script(fig, png + ".tmp", svg + ".tmp"));
  const int rc = run_in(exe, tmp_script, fs::absolute(dir).string(), err);
  const std::string messages = read_text(err);
  std::error_code ec;
  fs::remove(fs::path(dir) / tmp_script, ec);
  fs::remove(err, ec);
  const fs::path png_tmp = fs::path(dir) / (png + ".tmp"), svg_tmp = fs::path(dir) / (svg + ".tmp");
  const bool ok = rc == 0 && fs::exists(png_tmp) && fs::file_size(png_tmp, ec) > 0 && fs::exists(svg_tmp) &&
                  fs::file_size(svg_tmp, ec) > 0;
  if (!ok) {
    fs::remove(png_tmp, ec);
    fs::remove(svg_tmp, ec);
    return fmt::format("gnuplot failed on {}.gp (exit {}): {}", fig.name, rc, messages);
  }
  fs::rename(png_tmp, fs::path(dir) / png, ec);
  if (!ec) fs::rename(svg_tmp, fs::path(dir) / svg, ec);
  if (ec) return fmt::format("cannot rename the rendered {}: {}", fig.name, ec.message());
  return {};
}

}  // namespace airtp
