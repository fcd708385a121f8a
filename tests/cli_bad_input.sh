#!/usr/bin/env bash
# Bad input to `taxonn generate`: each bad config gets one line on stderr
# naming the field, a non-zero exit, and leaves nothing in the output folder.
# Usage: cli_bad_input.sh TAXONN_BINARY SOURCE_DIR WORK_DIR
set -uo pipefail
taxonn=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail=0 n=0
check() {  # config-file expected-text
  local cfg=$1 want=$2 out="$work/out_$(basename "$1" .json)"
  err=$("$taxonn" generate --config "$cfg" --out "$out" 2>&1 >/dev/null); rc=$?
  n=$((n + 1))
  if [ $rc -eq 0 ]; then echo "FAIL $cfg: exit 0"; fail=1; return; fi
  if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then echo "FAIL $cfg: not one line: $err"; fail=1; fi
  if ! grep -qF -- "$want" <<<"$err"; then echo "FAIL $cfg: '$want' not in: $err"; fail=1; fi
  if [ -e "$out" ]; then echo "FAIL $cfg: output folder $out was created"; fail=1; fi
  if ls -a "$work" | grep -q '^\.taxonn-tmp'; then echo "FAIL $cfg: temporary files left"; fail=1; fi
}
bad=$src/tests/bad_configs
check "$bad/not_json.json" "not valid JSON"
check "$bad/missing_field.json" "scratchpad_depth: missing"
check "$bad/int_bits_zero.json" "layers[0].format.int_bits"
check "$bad/width_33.json" "W = I + F = 33"
check "$bad/unknown_activation.json" "layers[1].activation"
check "$bad/unknown_rounding.json" "rounding: unknown rounding mode"
check "$bad/depth_zero.json" "scratchpad_depth: = 0"
check "$bad/unknown_memory.json" "memory: unknown memory 'dram'"
check "$bad/shapes_do_not_chain.json" "layers[1].inputs"
check "$bad/pes_zero.json" "layers[0].pes: = 0 is out of range [1, 32]"
check "$bad/pes_too_many.json" "layers[0].pes: = 33 is out of range [1, 32]"
check "$bad/conv_array_too_small.json" "layers[2].array.rows: = 3 is too small for the row-stationary mapping of layer 'conv2'"
check "$bad/conv_kernel_too_big.json" "layers[2].kernel: = 13 of layer 'conv2' is larger than its 12x12 input"
check "$bad/conv_channels_do_not_chain.json" "layers[2].in_channels: = 4 for layer 'conv2', but the layer before it gives 6 channels"
check "$bad/input_too_large.json" "input_shape: has 1099511627776 values, more than 16777216"
check "$bad/fc_with_conv_field.json" "layers[0].kernel: unknown field"
check "$bad/pool_with_bias.json" "layers[1].bias: unknown field"
check "$work/does_not_exist.json" "cannot open the config file"
# Regenerating into a folder that held another config's design leaves exactly
# the new design (the generator's manifest), and a file of the user's alone.
"$taxonn" generate --config "$src/configs/cnn_small.json" --out "$work/regen" >/dev/null
echo "// mine" > "$work/regen/rtl/mine.v"
"$taxonn" generate --config "$src/configs/mlp_small.json" --out "$work/regen" >/dev/null
"$taxonn" generate --config "$src/configs/mlp_small.json" --out "$work/fresh" >/dev/null
rm "$work/regen/rtl/mine.v" 2>/dev/null || { echo "FAIL: regenerate removed a file it did not write"; fail=1; }
diff -r "$work/regen" "$work/fresh" >/dev/null || { echo "FAIL: regenerate left another config's files:"; diff -rq "$work/regen" "$work/fresh"; fail=1; }
if ls -a "$work" | grep -q '^\.taxonn-tmp'; then echo "FAIL: temporary files left by generate"; fail=1; fi
echo "cli_bad_input: $n bad configs, $([ $fail -eq 0 ] && echo all rejected cleanly || echo FAILURES)"
exit $fail
