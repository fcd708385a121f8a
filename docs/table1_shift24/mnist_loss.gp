set title "LeNet-5 training loss, mnist (moving mean over 1000 images)"
set xlabel "training images"
set ylabel "sum of squared output errors"
set logscale y
set grid
set key bottom left
set terminal svg size 800,480 font "sans,12"
set output "mnist_loss.svg"
plot "mnist_loss.dat" index 0 with lines lw 2 title "float32", "mnist_loss.dat" index 1 with lines lw 2 title "paper's formats, relu_clip, stochastic"
if (strstrt(GPVAL_TERMINALS, " png ") > 0) {
  set terminal png size 800,480
  set output "mnist_loss.png"
  replot
}
