// Figures of `airtp experiment` drawn by gnuplot: a .gp script is written next to the CSV data
// (so a figure can be restyled and redrawn by hand with `gnuplot NAME.gp` in that directory) and
// run once to produce NAME.png and NAME.svg.
#pragma once
#include <string>

namespace airtp {

struct GnuplotFigure {
  std::string name;  // file stem: name.gp, name.png, name.svg
  // Commands after the terminal is set: labels, styles, `plot 'data.csv' using ...`. They run
  // once per output format, each time after `reset`, so they must set everything they rely on
  // (multiplot included). CSV files are read with separator ',' and their header line is used
  // for column names and key titles.
  std::string body;
  int width = 900, height = 560;
};

// `lc rgb '#rrggbb'` of the i-th data series (Okabe-Ito colour-blind-safe palette, cycling).
std::string series_color(int i);

// The full script writing `png_path` and `svg_path` (paths as gnuplot will see them).
std::string gnuplot_script(const GnuplotFigure& fig, const std::string& png_path, const std::string& svg_path);

// The gnuplot executable: $AIRTP_GNUPLOT if set (empty = none), else `gnuplot` on PATH.
// Empty string if there is none.
std::string find_gnuplot();

// Writes dir/name.gp, then renders name.png and name.svg in `dir` through temporary files that
// are renamed only when gnuplot succeeded. Returns an empty string on success, else why the
// figure was not drawn (gnuplot missing, or its error output); never throws for a plotting
// failure (the data files are what matters), only for failing to write the script.
std::string render_figure(const GnuplotFigure& fig, const std::string& dir);

}  // namespace airtp
