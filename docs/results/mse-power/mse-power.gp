# Figure 'mse-power' of `airtp experiment`. Redraw with `gnuplot mse-power.gp` in this directory.
reset
set terminal pngcairo size 1200,520 enhanced font 'DejaVu Sans,11'
set output 'mse-power.png'
set datafile separator ','
set datafile columnheaders
set grid lc rgb '#dddddd'
set key autotitle columnheader
set multiplot layout 1,2 title 'AirComp all-reduce error vs transmit power (N = 4, M = 20, K = L = 4, 200 realizations)'
set xlabel 'transmit power budget per device (dBm)'
set key top right font ',9'
set ylabel 'MSE per channel use (dB)'
set title 'transmission MSE'
plot 'mse-power.csv' using 'tx_power_dbm':'sdr_mse_db' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'SDR + randomization + refinement, best of baselines', \
  'mse-power.csv' using 'tx_power_dbm':'mmse_mse_db' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'MMSE receiver + ZF', \
  'mse-power.csv' using 'tx_power_dbm':'mf_mse_db' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'matched filter + ZF', \
  'mse-power.csv' using 'tx_power_dbm':'equal_power_mse_db' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'equal power, LMMSE receiver', \
  'mse-power.csv' using 'tx_power_dbm':'sdr_bound_mse_db' with lines dt 2 lw 1.5 lc rgb '#444444' title 'SDR value {/Symbol s}^2 tr(Q*)'
set ylabel 'NMSE (dB)'
set title 'normalised error of the all-reduced sum'
plot 'mse-power.csv' using 'tx_power_dbm':'sdr_nmse_db' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'SDR + randomization + refinement, best of baselines', \
  'mse-power.csv' using 'tx_power_dbm':'mmse_nmse_db' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'MMSE receiver + ZF', \
  'mse-power.csv' using 'tx_power_dbm':'mf_nmse_db' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'matched filter + ZF', \
  'mse-power.csv' using 'tx_power_dbm':'equal_power_nmse_db' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'equal power, LMMSE receiver', \
  'mse-power.csv' using 'tx_power_dbm':'digital8_nmse_db' with lines dt 2 lw 2 lc rgb '#aa0000' title 'digital 8-bit (quantization only)'
unset multiplot
unset output
reset
set terminal svg size 1200,520 dynamic enhanced font 'DejaVu Sans,11' background '#ffffff'
set output 'mse-power.svg'
set datafile separator ','
set datafile columnheaders
set grid lc rgb '#dddddd'
set key autotitle columnheader
set multiplot layout 1,2 title 'AirComp all-reduce error vs transmit power (N = 4, M = 20, K = L = 4, 200 realizations)'
set xlabel 'transmit power budget per device (dBm)'
set key top right font ',9'
set ylabel 'MSE per channel use (dB)'
set title 'transmission MSE'
plot 'mse-power.csv' using 'tx_power_dbm':'sdr_mse_db' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'SDR + randomization + refinement, best of baselines', \
  'mse-power.csv' using 'tx_power_dbm':'mmse_mse_db' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'MMSE receiver + ZF', \
  'mse-power.csv' using 'tx_power_dbm':'mf_mse_db' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'matched filter + ZF', \
  'mse-power.csv' using 'tx_power_dbm':'equal_power_mse_db' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'equal power, LMMSE receiver', \
  'mse-power.csv' using 'tx_power_dbm':'sdr_bound_mse_db' with lines dt 2 lw 1.5 lc rgb '#444444' title 'SDR value {/Symbol s}^2 tr(Q*)'
set ylabel 'NMSE (dB)'
set title 'normalised error of the all-reduced sum'
plot 'mse-power.csv' using 'tx_power_dbm':'sdr_nmse_db' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'SDR + randomization + refinement, best of baselines', \
  'mse-power.csv' using 'tx_power_dbm':'mmse_nmse_db' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'MMSE receiver + ZF', \
  'mse-power.csv' using 'tx_power_dbm':'mf_nmse_db' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'matched filter + ZF', \
  'mse-power.csv' using 'tx_power_dbm':'equal_power_nmse_db' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'equal power, LMMSE receiver', \
  'mse-power.csv' using 'tx_power_dbm':'digital8_nmse_db' with lines dt 2 lw 2 lc rgb '#aa0000' title 'digital 8-bit (quantization only)'
unset multiplot
unset output
