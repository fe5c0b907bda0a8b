# Figure 'mse-devices' of `airtp experiment`. Redraw with `gnuplot mse-devices.gp` in this directory.
reset
set terminal pngcairo size 1200,520 enhanced font 'DejaVu Sans,11'
set output 'mse-devices.png'
set datafile separator ','
set datafile columnheaders
set grid lc rgb '#dddddd'
set key autotitle columnheader
set multiplot layout 1,2 title 'AirComp all-reduce error vs number of devices (M = 20, K = L = 4, 20 dBm, 200 realizations)'
set xlabel 'devices N'
set key top right font ',9'
set ylabel 'MSE per channel use (dB)'
set title 'transmission MSE'
plot 'mse-devices.csv' using 'devices':'sdr_mse_db' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'SDR + randomization + refinement, best of baselines', \
  'mse-devices.csv' using 'devices':'mmse_mse_db' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'MMSE receiver + ZF', \
  'mse-devices.csv' using 'devices':'mf_mse_db' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'matched filter + ZF', \
  'mse-devices.csv' using 'devices':'equal_power_mse_db' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'equal power, LMMSE receiver', \
  'mse-devices.csv' using 'devices':'sdr_bound_mse_db' with lines dt 2 lw 1.5 lc rgb '#444444' title 'SDR value {/Symbol s}^2 tr(Q*)'
set ylabel 'NMSE (dB)'
set title 'normalised error of the all-reduced sum'
plot 'mse-devices.csv' using 'devices':'sdr_nmse_db' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'SDR + randomization + refinement, best of baselines', \
  'mse-devices.csv' using 'devices':'mmse_nmse_db' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'MMSE receiver + ZF', \
  'mse-devices.csv' using 'devices':'mf_nmse_db' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'matched filter + ZF', \
  'mse-devices.csv' using 'devices':'equal_power_nmse_db' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'equal power, LMMSE receiver', \
  'mse-devices.csv' using 'devices':'digital8_nmse_db' with lines dt 2 lw 2 lc rgb '#aa0000' title 'digital 8-bit (quantization only)'
unset multiplot
unset output
reset
set terminal svg size 1200,520 dynamic enhanced font 'DejaVu Sans,11' background '#ffffff'
set output 'mse-devices.svg'
set datafile separator ','
set datafile columnheaders
set grid lc rgb '#dddddd'
set key autotitle columnheader
set multiplot layout 1,2 title 'AirComp all-reduce error vs number of devices (M = 20, K = L = 4, 20 dBm, 200 realizations)'
set xlabel 'devices N'
set key top right font ',9'
set ylabel 'MSE per channel use (dB)'
set title 'transmission MSE'
plot 'mse-devices.csv' using 'devices':'sdr_mse_db' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'SDR + randomization + refinement, best of baselines', \
  'mse-devices.csv' using 'devices':'mmse_mse_db' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'MMSE receiver + ZF', \
  'mse-devices.csv' using 'devices':'mf_mse_db' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'matched filter + ZF', \
  'mse-devices.csv' using 'devices':'equal_power_mse_db' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'equal power, LMMSE receiver', \
  'mse-devices.csv' using 'devices':'sdr_bound_mse_db' with lines dt 2 lw 1.5 lc rgb '#444444' title 'SDR value {/Symbol s}^2 tr(Q*)'
set ylabel 'NMSE (dB)'
set title 'normalised error of the all-reduced sum'
plot 'mse-devices.csv' using 'devices':'sdr_nmse_db' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'SDR + randomization + refinement, best of baselines', \
  'mse-devices.csv' using 'devices':'mmse_nmse_db' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'MMSE receiver + ZF', \
  'mse-devices.csv' using 'devices':'mf_nmse_db' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'matched filter + ZF', \
  'mse-devices.csv' using 'devices':'equal_power_nmse_db' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'equal power, LMMSE receiver', \
  'mse-devices.csv' using 'devices':'digital8_nmse_db' with lines dt 2 lw 2 lc rgb '#aa0000' title 'digital 8-bit (quantization only)'
unset multiplot
unset output
