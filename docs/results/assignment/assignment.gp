# Figure 'assignment' of `airtp experiment`. Redraw with `gnuplot assignment.gp` in this directory.
reset
set terminal pngcairo size 1200,900 enhanced font 'DejaVu Sans,11'
set output 'assignment.png'
set datafile separator ','
set datafile columnheaders
set grid lc rgb '#dddddd'
set key autotitle columnheader
set multiplot layout 2,2 title 'Model assignment on paper-heterogeneous (llama3-8b, 4 devices)'
set style fill solid 0.7 border -1
set boxwidth 0.6
set xtics rotate by -20 font ',9'
set title 'expected AirComp MSE (SDR design), +/- std. error'
set ylabel 'MSE per channel use'
set yrange [0:*]
set xrange [-0.6:3.6]
unset key
plot 'assignment.csv' using 0:'expected_mse':'mse_std_error':xtic(2) with boxerrorbars lc rgb '#4477aa'
set title 'per-token decode latency'
set ylabel 'ms per token'
set key top left font ',9'
set style histogram rowstacked
set style data histograms
plot 'assignment.csv' using 'compute_ms':xtic(2) title 'compute' lc rgb '#999999', '' using 'aircomp_comm_ms' title 'AirComp all-reduces' lc rgb '#4477aa'
set style data linespoints
set xtics norotate font ',10'
set yrange [*:*]
set xrange [*:*]
set xlabel 'SSCA iteration'
set title 'SSCA convergence'
set ylabel 'MSE (dB)'
set key top right
plot 'assignment-trace.csv' using 'iteration':'sample_mse_db' with points pt 7 ps 0.3 lc rgb '#bbbbbb' title 'sample MSE f^t', '' using 'iteration':'running_mse_db' with lines lw 2 lc rgb '#aa3377' title 'running average', -21.362440551628733 with lines dt 2 lc rgb '#000000' title 'uniform (evaluation)'
set title 'shares m_n'
set ylabel 'share of every layer'
set yrange [0:*]
plot 'assignment-trace.csv' using 'iteration':'m_0' with lines lw 2 lc rgb '#0072b2' title 'dev0-x1', 'assignment-trace.csv' using 'iteration':'m_1' with lines lw 2 lc rgb '#d55e00' title 'dev1-x2', 'assignment-trace.csv' using 'iteration':'m_2' with lines lw 2 lc rgb '#009e73' title 'dev2-x3', 'assignment-trace.csv' using 'iteration':'m_3' with lines lw 2 lc rgb '#cc79a7' title 'dev3-x4'
unset multiplot
unset output
reset
set terminal svg size 1200,900 dynamic enhanced font 'DejaVu Sans,11' background '#ffffff'
set output 'assignment.svg'
set datafile separator ','
set datafile columnheaders
set grid lc rgb '#dddddd'
set key autotitle columnheader
set multiplot layout 2,2 title 'Model assignment on paper-heterogeneous (llama3-8b, 4 devices)'
set style fill solid 0.7 border -1
set boxwidth 0.6
set xtics rotate by -20 font ',9'
set title 'expected AirComp MSE (SDR design), +/- std. error'
set ylabel 'MSE per channel use'
set yrange [0:*]
set xrange [-0.6:3.6]
unset key
plot 'assignment.csv' using 0:'expected_mse':'mse_std_error':xtic(2) with boxerrorbars lc rgb '#4477aa'
set title 'per-token decode latency'
set ylabel 'ms per token'
set key top left font ',9'
set style histogram rowstacked
set style data histograms
plot 'assignment.csv' using 'compute_ms':xtic(2) title 'compute' lc rgb '#999999', '' using 'aircomp_comm_ms' title 'AirComp all-reduces' lc rgb '#4477aa'
set style data linespoints
set xtics norotate font ',10'
set yrange [*:*]
set xrange [*:*]
set xlabel 'SSCA iteration'
set title 'SSCA convergence'
set ylabel 'MSE (dB)'
set key top right
plot 'assignment-trace.csv' using 'iteration':'sample_mse_db' with points pt 7 ps 0.3 lc rgb '#bbbbbb' title 'sample MSE f^t', '' using 'iteration':'running_mse_db' with lines lw 2 lc rgb '#aa3377' title 'running average', -21.362440551628733 with lines dt 2 lc rgb '#000000' title 'uniform (evaluation)'
set title 'shares m_n'
set ylabel 'share of every layer'
set yrange [0:*]
plot 'assignment-trace.csv' using 'iteration':'m_0' with lines lw 2 lc rgb '#0072b2' title 'dev0-x1', 'assignment-trace.csv' using 'iteration':'m_1' with lines lw 2 lc rgb '#d55e00' title 'dev1-x2', 'assignment-trace.csv' using 'iteration':'m_2' with lines lw 2 lc rgb '#009e73' title 'dev2-x3', 'assignment-trace.csv' using 'iteration':'m_3' with lines lw 2 lc rgb '#cc79a7' title 'dev3-x4'
unset multiplot
unset output
