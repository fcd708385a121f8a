#!/usr/bin/env bash
# Icarus Verilog compiles the generated RTL of every shipped config, as
# Verilog-2005 and as SystemVerilog-2012.
# Usage: iverilog.sh TAXONN_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
taxonn=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
for cfg in "$src"/configs/*.json; do
  name=$(basename "$cfg" .json)
  "$taxonn" generate --config "$cfg" --out "$work/$name" >/dev/null
  (cd "$work/$name" && for g in -g2005 -g2012; do iverilog $g -Irtl -o /dev/null $(grep '^rtl/' filelist.f); done)
  echo "iverilog: $name: -g2005 and -g2012 ok"
done
