set grid
set xlabel "W (bits)"
set key top left
set terminal svg size 1000,420 font "sans,12"
set output "area_power.svg"
set multiplot layout 1,2
set title "PE area"
set ylabel "um^2"
plot "sweep.dat" using 1:2 with linespoints lw 2 title "baseline (ours)", "" using 1:3 with linespoints lw 2 title "TaxoNN (ours)", "" using 1:4 with linespoints dt 2 title "baseline (paper)", "" using 1:5 with linespoints dt 2 title "TaxoNN (paper)"
set title "PE power"
set ylabel "mW"
plot "sweep.dat" using 1:6 with linespoints lw 2 title "baseline inferring (ours)", "" using 1:7 with linespoints lw 2 title "TaxoNN training (ours)", "" using 1:10 with linespoints lw 1 title "TaxoNN inferring (ours)", "" using 1:8 with linespoints dt 2 title "baseline (paper)", "" using 1:9 with linespoints dt 2 title "TaxoNN (paper)"
unset multiplot
if (strstrt(GPVAL_TERMINALS, " png ") > 0) {
  set terminal png size 1000,420
  set output "area_power.png"
  set multiplot layout 1,2
set title "PE area"
set ylabel "um^2"
plot "sweep.dat" using 1:2 with linespoints lw 2 title "baseline (ours)", "" using 1:3 with linespoints lw 2 title "TaxoNN (ours)", "" using 1:4 with linespoints dt 2 title "baseline (paper)", "" using 1:5 with linespoints dt 2 title "TaxoNN (paper)"
set title "PE power"
set ylabel "mW"
plot "sweep.dat" using 1:6 with linespoints lw 2 title "baseline inferring (ours)", "" using 1:7 with linespoints lw 2 title "TaxoNN training (ours)", "" using 1:10 with linespoints lw 1 title "TaxoNN inferring (ours)", "" using 1:8 with linespoints dt 2 title "baseline (paper)", "" using 1:9 with linespoints dt 2 title "TaxoNN (paper)"
  unset multiplot
}
