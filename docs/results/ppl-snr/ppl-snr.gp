# Figure 'ppl-snr' of `airtp experiment`. Redraw with `gnuplot ppl-snr.gp` in this directory.
reset
set terminal pngcairo size 1200,900 enhanced font 'DejaVu Sans,11'
set output 'ppl-snr.png'
set datafile separator ','
set datafile columnheaders
set grid lc rgb '#dddddd'
set key autotitle columnheader
set multiplot layout 2,2 title 'Bundled model, N = 4: accuracy vs receive SNR (8 x 128 tokens)'
set xlabel 'mean receive SNR per antenna (dB)'
set key top right font ',9'
set logscale y
set ylabel 'perplexity (log)'
set title 'perplexity (points above the frame: see CSV)'
set yrange [57.4023:118.355]
plot 'ppl-snr-wide.csv' using 'snr_db':'aircomp-sdr_ppl' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'ppl-snr-wide.csv' using 'snr_db':'aircomp-mmse_ppl' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'AirComp, MMSE receiver + ZF', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-8bit_ppl' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'digital 8-bit OFDMA', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-4bit_ppl' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'digital 4-bit OFDMA', \
  'ppl-snr-wide.csv' using 'snr_db':'exact_ppl' with lines dt 2 lw 2 lc rgb '#000000' title 'exact (= 1 device)'
set yrange [*:*]
set format y '10^{%L}'
set ylabel 'KL divergence to exact (nats/token)'
set title 'KL divergence'
plot 'ppl-snr-wide.csv' using 'snr_db':'aircomp-sdr_kl' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'ppl-snr-wide.csv' using 'snr_db':'aircomp-mmse_kl' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'AirComp, MMSE receiver + ZF', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-8bit_kl' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'digital 8-bit OFDMA', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-4bit_kl' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'digital 4-bit OFDMA'
unset logscale y
set format y '%g'
set ylabel 'NMSE (dB)'
set title 'all-reduce NMSE on the model activations'
plot 'ppl-snr-wide.csv' using 'snr_db':'aircomp-sdr_nmse_db' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'ppl-snr-wide.csv' using 'snr_db':'aircomp-mmse_nmse_db' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'AirComp, MMSE receiver + ZF', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-8bit_nmse_db' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'digital 8-bit OFDMA', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-4bit_nmse_db' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'digital 4-bit OFDMA'
set logscale y
set ylabel 'ms per token (log)'
set title 'modelled link time of the all-reduces'
plot 'ppl-snr-wide.csv' using 'snr_db':'aircomp-sdr_link_ms' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'ppl-snr-wide.csv' using 'snr_db':'aircomp-mmse_link_ms' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'AirComp, MMSE receiver + ZF', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-8bit_link_ms' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'digital 8-bit OFDMA', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-4bit_link_ms' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'digital 4-bit OFDMA'
unset multiplot
unset output
reset
set terminal svg size 1200,900 dynamic enhanced font 'DejaVu Sans,11' background '#ffffff'
set output 'ppl-snr.svg'
set datafile separator ','
set datafile columnheaders
set grid lc rgb '#dddddd'
set key autotitle columnheader
set multiplot layout 2,2 title 'Bundled model, N = 4: accuracy vs receive SNR (8 x 128 tokens)'
set xlabel 'mean receive SNR per antenna (dB)'
set key top right font ',9'
set logscale y
set ylabel 'perplexity (log)'
set title 'perplexity (points above the frame: see CSV)'
set yrange [57.4023:118.355]
plot 'ppl-snr-wide.csv' using 'snr_db':'aircomp-sdr_ppl' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'ppl-snr-wide.csv' using 'snr_db':'aircomp-mmse_ppl' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'AirComp, MMSE receiver + ZF', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-8bit_ppl' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'digital 8-bit OFDMA', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-4bit_ppl' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'digital 4-bit OFDMA', \
  'ppl-snr-wide.csv' using 'snr_db':'exact_ppl' with lines dt 2 lw 2 lc rgb '#000000' title 'exact (= 1 device)'
set yrange [*:*]
set format y '10^{%L}'
set ylabel 'KL divergence to exact (nats/token)'
set title 'KL divergence'
plot 'ppl-snr-wide.csv' using 'snr_db':'aircomp-sdr_kl' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'ppl-snr-wide.csv' using 'snr_db':'aircomp-mmse_kl' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'AirComp, MMSE receiver + ZF', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-8bit_kl' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'digital 8-bit OFDMA', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-4bit_kl' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'digital 4-bit OFDMA'
unset logscale y
set format y '%g'
set ylabel 'NMSE (dB)'
set title 'all-reduce NMSE on the model activations'
plot 'ppl-snr-wide.csv' using 'snr_db':'aircomp-sdr_nmse_db' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'ppl-snr-wide.csv' using 'snr_db':'aircomp-mmse_nmse_db' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'AirComp, MMSE receiver + ZF', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-8bit_nmse_db' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'digital 8-bit OFDMA', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-4bit_nmse_db' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'digital 4-bit OFDMA'
set logscale y
set ylabel 'ms per token (log)'
set title 'modelled link time of the all-reduces'
plot 'ppl-snr-wide.csv' using 'snr_db':'aircomp-sdr_link_ms' with linespoints lw 2 pt 7 lc rgb '#0072b2' title 'AirComp, SDR + randomization + refinement, best of baselines', \
  'ppl-snr-wide.csv' using 'snr_db':'aircomp-mmse_link_ms' with linespoints lw 2 pt 8 lc rgb '#d55e00' title 'AirComp, MMSE receiver + ZF', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-8bit_link_ms' with linespoints lw 2 pt 9 lc rgb '#009e73' title 'digital 8-bit OFDMA', \
  'ppl-snr-wide.csv' using 'snr_db':'digital-4bit_link_ms' with linespoints lw 2 pt 10 lc rgb '#cc79a7' title 'digital 4-bit OFDMA'
unset multiplot
unset output
