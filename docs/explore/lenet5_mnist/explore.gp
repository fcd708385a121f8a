# explore study 'lenet5_mnist': accuracy against area and energy (written by taxonn explore)
set terminal svg size 1100,450 dynamic background '#ffffff'
set output 'explore.svg'
set grid
set key bottom right
set multiplot layout 1,2 title 'explore: lenet5_mnist' noenhanced
set xlabel 'accelerator area (mm^2)'
set ylabel 'test accuracy, screened (%)'
plot 'all.dat' using 1:3 with points pt 7 ps 0.5 lc rgb '#999999' title 'evaluated', \
     'front.dat' using 1:3 with points pt 7 ps 1.1 lc rgb '#cc2222' title 'front', \
     'uniform.dat' using 1:3 with points pt 9 ps 1.2 lc rgb '#2255cc' title 'uniform W', \
     'uniform.dat' using 1:3:4 with labels offset 0,-1 font ',8' notitle, \
     'paper.dat' using 1:3 with points pt 3 ps 2 lw 2 lc rgb '#000000' title 'the config''s formats'
set xlabel 'energy per training sample (nJ)'
set ylabel 'test accuracy, screened (%)'
plot 'all.dat' using 2:3 with points pt 7 ps 0.5 lc rgb '#999999' title 'evaluated', \
     'front.dat' using 2:3 with points pt 7 ps 1.1 lc rgb '#cc2222' title 'front', \
     'uniform.dat' using 2:3 with points pt 9 ps 1.2 lc rgb '#2255cc' title 'uniform W', \
     'uniform.dat' using 2:3:4 with labels offset 0,-1 font ',8' notitle, \
     'paper.dat' using 2:3 with points pt 3 ps 2 lw 2 lc rgb '#000000' title 'the config''s formats'
unset multiplot
