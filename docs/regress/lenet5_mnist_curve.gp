set title "lenet5_mnist: RTL training on mnist (loss = golden model's, checked bit-exact every step)" noenhanced
set datafile separator ","
set xlabel "SGD steps"
set ylabel "sum of squared output errors (mean over 100 steps)"
set y2label "test accuracy, 1,000 images (%)"
set ytics nomirror
set y2tics
set y2range [0:100]
set grid
set key center right
set terminal svg size 800,480 font "sans,12"
set output "lenet5_mnist_curve.svg"
plot "lenet5_mnist_curve.csv" using 1:2 every ::1 with lines lw 2 title "loss", "lenet5_mnist_curve.csv" using 1:3 every ::1 axes x1y2 with linespoints lw 2 title "test accuracy"
