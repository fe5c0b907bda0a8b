# Figure 'latency-devices-bundled' of `airtp experiment`. Redraw with `gnuplot latency-devices-bundled.gp` in this directory.
reset
set terminal pngcairo size 1200,520 enhanced font 'DejaVu Sans,11'
set output 'latency-devices-bundled.png'
set datafile separator ','
set datafile columnheaders
set grid lc rgb '#dddddd'
set key autotitle columnheader
set multiplot layout 1,2 title 'Bundled model airtp-kjv (6 layers, d = 256): per-token decode latency vs devices'
set xlabel 'devices N'
set key top right font ',9'
set yrange [0:1.256]
set ylabel 'ms per token'
set title 'total = compute + all-reduces'
plot 'latency-devices-bundled.csv' using 'devices':'airtp-kjv_aircomp_total_ms' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'latency-devices-bundled.csv' using 'devices':'airtp-kjv_digital_total_ms' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'digital 8-bit OFDMA', \
  'latency-devices-bundled.csv' using 'devices':'airtp-kjv_mesh_total_ms' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'Ethernet mesh, 8-bit (distributed-llama)', \
  'latency-devices-bundled.csv' using 'devices':'airtp-kjv_exact_total_ms' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'exact / ideal link', \
  'latency-devices-bundled.csv' using 'devices':'airtp-kjv_compute_ms' with lines dt 2 lw 2 lc rgb '#000000' title 'compute (model, calibrated)', \
  'latency-devices-bundled.csv' using 'devices':'airtp-kjv_measured_compute_ms' with points pt 4 ps 1.5 lc rgb '#000000' title 'compute, measured in-process'
set ylabel 'ms per token (log)'
set title 'communication only'
set logscale y
set yrange [*:*]
plot 'latency-devices-bundled.csv' using 'devices':'airtp-kjv_aircomp_comm_ms' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'latency-devices-bundled.csv' using 'devices':'airtp-kjv_digital_comm_ms' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'digital 8-bit OFDMA', \
  'latency-devices-bundled.csv' using 'devices':'airtp-kjv_mesh_comm_ms' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'Ethernet mesh, 8-bit (distributed-llama)'
unset multiplot
unset output
reset
set terminal svg size 1200,520 dynamic enhanced font 'DejaVu Sans,11' background '#ffffff'
set output 'latency-devices-bundled.svg'
set datafile separator ','
set datafile columnheaders
set grid lc rgb '#dddddd'
set key autotitle columnheader
set multiplot layout 1,2 title 'Bundled model airtp-kjv (6 layers, d = 256): per-token decode latency vs devices'
set xlabel 'devices N'
set key top right font ',9'
set yrange [0:1.256]
set ylabel 'ms per token'
set title 'total = compute + all-reduces'
plot 'latency-devices-bundled.csv' using 'devices':'airtp-kjv_aircomp_total_ms' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'latency-devices-bundled.csv' using 'devices':'airtp-kjv_digital_total_ms' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'digital 8-bit OFDMA', \
  'latency-devices-bundled.csv' using 'devices':'airtp-kjv_mesh_total_ms' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'Ethernet mesh, 8-bit (distributed-llama)', \
  'latency-devices-bundled.csv' using 'devices':'airtp-kjv_exact_total_ms' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'exact / ideal link', \
  'latency-devices-bundled.csv' using 'devices':'airtp-kjv_compute_ms' with lines dt 2 lw 2 lc rgb '#000000' title 'compute (model, calibrated)', \
  'latency-devices-bundled.csv' using 'devices':'airtp-kjv_measured_compute_ms' with points pt 4 ps 1.5 lc rgb '#000000' title 'compute, measured in-process'
set ylabel 'ms per token (log)'
set title 'communication only'
set logscale y
set yrange [*:*]
plot 'latency-devices-bundled.csv' using 'devices':'airtp-kjv_aircomp_comm_ms' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'latency-devices-bundled.csv' using 'devices':'airtp-kjv_digital_comm_ms' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'digital 8-bit OFDMA', \
  'latency-devices-bundled.csv' using 'devices':'airtp-kjv_mesh_comm_ms' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'Ethernet mesh, 8-bit (distributed-llama)'
unset multiplot
unset output
