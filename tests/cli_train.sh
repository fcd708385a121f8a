#!/usr/bin/env bash
# `taxonn train` from the command line: a short run writes its CSV/JSON and
# weights, which load again; bad input (unknown dataset, wrong image size, a
# learning rate that rounds to 0, formats that do not match the layers, a
# missing weights file) is one line, a non-zero exit, and no output files.
# Usage: cli_train.sh TAXONN_BINARY SOURCE_DIR WORK_DIR
set -uo pipefail
taxonn=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
ds=mnist; [ -d "$src/../shared/datasets/mnist" ] || ds=fashion-mnist
cfg=$src/configs/lenet5_mnist.json
fail=0
ok() { "$taxonn" train --config "$cfg" --dataset $ds --train-limit 300 --test-limit 100 --quiet "$@" || { echo "FAIL: train $*"; fail=1; }; }
ok --out "$work/run" --save "$work/w.json"
for f in train.csv train.json curve.csv; do [ -s "$work/run/$f" ] || { echo "FAIL: $f not written"; fail=1; }; done
grep -qE '"format": ?"taxonn-weights-1"' "$work/w.json" || { echo "FAIL: weights file"; fail=1; }
ok --load "$work/w.json" --epochs 1
bad() {  # expected-text, then the arguments
  local want=$1; shift
  err=$("$taxonn" train --quiet "$@" --out "$work/bad" 2>&1 >/dev/null); rc=$?
  if [ $rc -eq 0 ]; then echo "FAIL: accepted: $*"; fail=1; return; fi
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || { echo "FAIL: not one line: $err"; fail=1; }
  grep -qF -- "$want" <<<"$err" || { echo "FAIL: '$want' not in: $err"; fail=1; }
  [ ! -e "$work/bad" ] || { echo "FAIL: output written for: $*"; fail=1; }
  echo "rejected: $err"
}
bad "unknown dataset 'imagenet'" --config "$cfg" --dataset imagenet
bad "input_shape is 3x32x32" --config "$src/configs/lenet5_cifar10.json" --dataset $ds
bad "rounds to 0" --config "$cfg" --dataset $ds --alpha 0.0000001
bad "give one I,F per layer" --config "$cfg" --dataset $ds --formats "2,12 2,12"
bad "cannot open the weights file" --config "$cfg" --dataset $ds --load "$work/none.json"
bad "does not exist" --config "$cfg" --dataset mnist --data-dir "$work/nowhere"
exit $fail
