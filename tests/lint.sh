#!/usr/bin/env bash
# Lint the generated RTL of every shipped config with `verilator --lint-only
# -Wall`: every module on its own (templates with their default parameters,
# wrappers with the config's), and each generated wrapper with the whole
# design around it. Zero warnings; waivers would live in
# rtl_templates/lint_waivers.vlt with a reason each (the clock gate's latch).
# Usage: lint.sh TAXONN_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
taxonn=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
waivers=()
[ -f "$src/rtl_templates/lint_waivers.vlt" ] && waivers=("$src/rtl_templates/lint_waivers.vlt")
fail=0 count=0
for cfg in "$src"/configs/*.json; do
  name=$(basename "$cfg" .json)
  "$taxonn" generate --config "$cfg" --out "$work/$name" >/dev/null
  cd "$work/$name"
  files=$(grep '^rtl/' filelist.f)
  for f in $files; do
    m=$(basename "$f" .v)
    # on its own: only the module's own file and what it instantiates
    if ! out=$(verilator --lint-only -Wall -Irtl "${waivers[@]}" $files --top-module "$m" 2>&1); then
      echo "lint: $name: $m:"; echo "$out" | head -20; fail=1
    fi
    count=$((count + 1))
  done
  cd - >/dev/null
done
# Clock gating (GATE 1 in every PE's scratchpad, taxonn_clock_gate per
# word): cnn_small (fc, conv, pool) gated, the whole design and the PEs.
gated="$work/cnn_small_gated"
"$taxonn" generate --config "$src/configs/cnn_small.json" --clock-gating on --out "$gated" >/dev/null
grep -q "GATE" "$gated/rtl/taxonn_cnn_small_net.v" || { echo "lint: --clock-gating on generated no GATE"; fail=1; }
cd "$gated"
files=$(grep '^rtl/' filelist.f)
for m in taxonn_cnn_small_net taxonn_conv1_pe taxonn_fc1_pe_base taxonn_spad taxonn_clock_gate; do
  if ! out=$(verilator --lint-only -Wall -Irtl "${waivers[@]}" $files --top-module "$m" 2>&1); then
    echo "lint: cnn_small gated: $m:"; echo "$out" | head -20; fail=1
  fi
  count=$((count + 1))
done
cd - >/dev/null
# The layer templates check the derived parameters they are given (T, DEPTH,
# AW, NIW, KIW, PIW, TREE_W) against the contract's formulas: a network top
# whose value disagrees must not elaborate. cnn_small has fc, conv and pool.
net="$work/cnn_small/rtl/taxonn_cnn_small_net.v"
for p in T NIW KIW TREE_W; do
  for nth in 1 2; do
    bad="$work/bad_param" && rm -rf "$bad" && cp -r "$work/cnn_small" "$bad"
    # add 1 to the nth instance's value of parameter $p
    awk -v p="$p" -v nth="$nth" '
      $0 ~ "^ *\\."p" *\\(" { k++; if (k == nth) { match($0, /\(([0-9]+)\)/); v = substr($0, RSTART + 1, RLENGTH - 2);
        sub(/\([0-9]+\)/, "(" v + 1 ")") } } { print }' "$net" > "$bad/rtl/taxonn_cnn_small_net.v"
    if cmp -s "$net" "$bad/rtl/taxonn_cnn_small_net.v"; then continue; fi
    if out=$(cd "$bad" && verilator --lint-only -Wall -Irtl $(grep '^rtl/' filelist.f) --top-module taxonn_cnn_small_net 2>&1); then
      echo "lint: a wrong $p (instance $nth) in the network top elaborated: the template's check is missing"; fail=1
    elif ! grep -q "_bad_$(echo "$p" | tr 'A-Z' 'a-z')" <<<"$out"; then
      echo "lint: a wrong $p (instance $nth) failed, but not at the template's check:"; echo "$out" | head -5; fail=1
    fi
    count=$((count + 1))
  done
done
[ $fail -eq 0 ] && echo "lint: $count module elaborations over $(ls "$src"/configs/*.json | wc -l) configs, 0 warnings"
exit $fail
