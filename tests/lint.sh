#!/usr/bin/env bash
# Lint the generated RTL of every shipped config with `verilator --lint-only
# -Wall`: every module on its own (templates with their default parameters,
# wrappers with the config's), and each generated wrapper with the whole
# design around it. Zero warnings; waivers would live in
# rtl_templates/lint_waivers.vlt with a reason each (there are none).
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
[ $fail -eq 0 ] && echo "lint: $count module elaborations over $(ls "$src"/configs/*.json | wc -l) configs, 0 warnings"
exit $fail
