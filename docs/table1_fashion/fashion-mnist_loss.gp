set title "LeNet-5 training loss, fashion-mnist (moving mean over 1000 images)"
set xlabel "training images"
set ylabel "sum of squared output errors"
set logscale y
set grid
set key bottom left
set terminal svg size 800,480 font "sans,12"
set output "fashion-mnist_loss.svg"
plot "fashion-mnist_loss.dat" index 0 with lines lw 2 title "float32", "fashion-mnist_loss.dat" index 1 with lines lw 2 title "paper's MNIST formats, relu_clip, stochastic", "fashion-mnist_loss.dat" index 2 with lines lw 2 title "F + 2, relu_clip, stochastic", "fashion-mnist_loss.dat" index 3 with lines lw 2 title "F + 4, relu_clip, stochastic", "fashion-mnist_loss.dat" index 4 with lines lw 2 title "conv1 I + 1, relu_clip, stochastic"
if (strstrt(GPVAL_TERMINALS, " png ") > 0) {
  set terminal png size 800,480
  set output "fashion-mnist_loss.png"
  replot
}
