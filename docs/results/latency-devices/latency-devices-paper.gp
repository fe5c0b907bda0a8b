# Figure 'latency-devices-paper' of `airtp experiment`. Redraw with `gnuplot latency-devices-paper.gp` in this directory.
reset
set terminal pngcairo size 1200,880 enhanced font 'DejaVu Sans,11'
set output 'latency-devices-paper.png'
set datafile separator ','
set datafile columnheaders
set grid lc rgb '#dddddd'
set key autotitle columnheader
set multiplot layout 2,2 title 'Paper model sizes (compute: LLaMA2-7B = 114.2 ms/token on one device): per-token latency vs devices'
set xlabel 'devices N'
set ylabel 'ms per token'
set key top right font ',8'
set yrange [0:*]
set title 'llama2-7b'
plot 'latency-devices-paper.csv' using 'devices':'llama2-7b_aircomp_total_ms' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'latency-devices-paper.csv' using 'devices':'llama2-7b_digital_total_ms' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'digital 8-bit OFDMA', \
  'latency-devices-paper.csv' using 'devices':'llama2-7b_mesh_total_ms' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'Ethernet mesh, 8-bit (distributed-llama)', \
  'latency-devices-paper.csv' using 'devices':'llama2-7b_exact_total_ms' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'exact / ideal link', \
  'latency-devices-paper.csv' using 'devices':'llama2-7b_compute_ms' with lines dt 2 lw 2 lc rgb '#000000' title 'compute', \
  'latency-devices-paper.csv' using 'devices':'llama2-7b_paper_ms' with points pt 5 ps 1.5 lc rgb '#000000' title 'paper Table I (AirComp)'
set title 'llama2-13b'
plot 'latency-devices-paper.csv' using 'devices':'llama2-13b_aircomp_total_ms' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'latency-devices-paper.csv' using 'devices':'llama2-13b_digital_total_ms' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'digital 8-bit OFDMA', \
  'latency-devices-paper.csv' using 'devices':'llama2-13b_mesh_total_ms' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'Ethernet mesh, 8-bit (distributed-llama)', \
  'latency-devices-paper.csv' using 'devices':'llama2-13b_exact_total_ms' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'exact / ideal link', \
  'latency-devices-paper.csv' using 'devices':'llama2-13b_compute_ms' with lines dt 2 lw 2 lc rgb '#000000' title 'compute', \
  'latency-devices-paper.csv' using 'devices':'llama2-13b_paper_ms' with points pt 5 ps 1.5 lc rgb '#000000' title 'paper Table I (AirComp)'
set title 'llama2-70b'
plot 'latency-devices-paper.csv' using 'devices':'llama2-70b_aircomp_total_ms' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'latency-devices-paper.csv' using 'devices':'llama2-70b_digital_total_ms' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'digital 8-bit OFDMA', \
  'latency-devices-paper.csv' using 'devices':'llama2-70b_mesh_total_ms' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'Ethernet mesh, 8-bit (distributed-llama)', \
  'latency-devices-paper.csv' using 'devices':'llama2-70b_exact_total_ms' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'exact / ideal link', \
  'latency-devices-paper.csv' using 'devices':'llama2-70b_compute_ms' with lines dt 2 lw 2 lc rgb '#000000' title 'compute', \
  'latency-devices-paper.csv' using 'devices':'llama2-70b_paper_ms' with points pt 5 ps 1.5 lc rgb '#000000' title 'paper Table I (AirComp)'
set title 'llama3-70b'
plot 'latency-devices-paper.csv' using 'devices':'llama3-70b_aircomp_total_ms' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'latency-devices-paper.csv' using 'devices':'llama3-70b_digital_total_ms' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'digital 8-bit OFDMA', \
  'latency-devices-paper.csv' using 'devices':'llama3-70b_mesh_total_ms' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'Ethernet mesh, 8-bit (distributed-llama)', \
  'latency-devices-paper.csv' using 'devices':'llama3-70b_exact_total_ms' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'exact / ideal link', \
  'latency-devices-paper.csv' using 'devices':'llama3-70b_compute_ms' with lines dt 2 lw 2 lc rgb '#000000' title 'compute', \
  'latency-devices-paper.csv' using 'devices':'llama3-70b_paper_ms' with points pt 5 ps 1.5 lc rgb '#000000' title 'paper Table I (AirComp)'
unset multiplot
unset output
reset
set terminal svg size 1200,880 dynamic enhanced font 'DejaVu Sans,11' background '#ffffff'
set output 'latency-devices-paper.svg'
set datafile separator ','
set datafile columnheaders
set grid lc rgb '#dddddd'
set key autotitle columnheader
set multiplot layout 2,2 title 'Paper model sizes (compute: LLaMA2-7B = 114.2 ms/token on one device): per-token latency vs devices'
set xlabel 'devices N'
set ylabel 'ms per token'
set key top right font ',8'
set yrange [0:*]
set title 'llama2-7b'
plot 'latency-devices-paper.csv' using 'devices':'llama2-7b_aircomp_total_ms' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'latency-devices-paper.csv' using 'devices':'llama2-7b_digital_total_ms' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'digital 8-bit OFDMA', \
  'latency-devices-paper.csv' using 'devices':'llama2-7b_mesh_total_ms' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'Ethernet mesh, 8-bit (distributed-llama)', \
  'latency-devices-paper.csv' using 'devices':'llama2-7b_exact_total_ms' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'exact / ideal link', \
  'latency-devices-paper.csv' using 'devices':'llama2-7b_compute_ms' with lines dt 2 lw 2 lc rgb '#000000' title 'compute', \
  'latency-devices-paper.csv' using 'devices':'llama2-7b_paper_ms' with points pt 5 ps 1.5 lc rgb '#000000' title 'paper Table I (AirComp)'
set title 'llama2-13b'
plot 'latency-devices-paper.csv' using 'devices':'llama2-13b_aircomp_total_ms' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'latency-devices-paper.csv' using 'devices':'llama2-13b_digital_total_ms' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'digital 8-bit OFDMA', \
  'latency-devices-paper.csv' using 'devices':'llama2-13b_mesh_total_ms' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'Ethernet mesh, 8-bit (distributed-llama)', \
  'latency-devices-paper.csv' using 'devices':'llama2-13b_exact_total_ms' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'exact / ideal link', \
  'latency-devices-paper.csv' using 'devices':'llama2-13b_compute_ms' with lines dt 2 lw 2 lc rgb '#000000' title 'compute', \
  'latency-devices-paper.csv' using 'devices':'llama2-13b_paper_ms' with points pt 5 ps 1.5 lc rgb '#000000' title 'paper Table I (AirComp)'
set title 'llama2-70b'
plot 'latency-devices-paper.csv' using 'devices':'llama2-70b_aircomp_total_ms' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'latency-devices-paper.csv' using 'devices':'llama2-70b_digital_total_ms' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'digital 8-bit OFDMA', \
  'latency-devices-paper.csv' using 'devices':'llama2-70b_mesh_total_ms' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'Ethernet mesh, 8-bit (distributed-llama)', \
  'latency-devices-paper.csv' using 'devices':'llama2-70b_exact_total_ms' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'exact / ideal link', \
  'latency-devices-paper.csv' using 'devices':'llama2-70b_compute_ms' with lines dt 2 lw 2 lc rgb '#000000' title 'compute', \
  'latency-devices-paper.csv' using 'devices':'llama2-70b_paper_ms' with points pt 5 ps 1.5 lc rgb '#000000' title 'paper Table I (AirComp)'
set title 'llama3-70b'
plot 'latency-devices-paper.csv' using 'devices':'llama3-70b_aircomp_total_ms' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'latency-devices-paper.csv' using 'devices':'llama3-70b_digital_total_ms' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'digital 8-bit OFDMA', \
  'latency-devices-paper.csv' using 'devices':'llama3-70b_mesh_total_ms' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'Ethernet mesh, 8-bit (distributed-llama)', \
  'latency-devices-paper.csv' using 'devices':'llama3-70b_exact_total_ms' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'exact / ideal link', \
  'latency-devices-paper.csv' using 'devices':'llama3-70b_compute_ms' with lines dt 2 lw 2 lc rgb '#000000' title 'compute', \
  'latency-devices-paper.csv' using 'devices':'llama3-70b_paper_ms' with points pt 5 ps 1.5 lc rgb '#000000' title 'paper Table I (AirComp)'
unset multiplot
unset output
