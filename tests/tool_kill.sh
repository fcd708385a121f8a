#!/usr/bin/env bash
# A stopped synthesis leaves no tool running: SIGTERM to `taxonn synth` (a
# PE pair, inline) and to `taxonn synth --network` (its units as batch jobs)
# while Yosys maps must end the command (exit 143, no report written) and,
# at once (within 0.3 s), every process it started (Yosys and its ABC run in a
# process group of their own, killed with the command: subprocess.hpp).
# Usage: tool_kill.sh TAXONN_BINARY SOURCE_DIR WORK_DIR
set -uo pipefail
taxonn=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail=0
# The processes whose working folder is under $1 (the tools run in a unit's
# folder), as "pid name"; one find, so that a scan takes milliseconds.
under() {
  local l
  # (find fails on processes that end during the scan: not an error here)
  { find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$1*" 2>/dev/null || true; } | while read -r l; do
    l=${l%/cwd}; echo "${l#/proc/} $(cat "$l/comm" 2>/dev/null)"
  done
}
stop_during_yosys() {  # name, then the synth arguments
  local name=$1; shift
  local dir=$work/$name
  "$taxonn" synth "$@" --work "$dir" --json "$work/$name.json" > "$work/$name.out" 2> "$work/$name.err" &
  local pid=$! t=0
  until under "$dir" | grep -w yosys > /dev/null; do  # not -q: under must not die of SIGPIPE
    sleep 0.1; t=$((t + 1))
    if [ $t -ge 600 ] || ! kill -0 $pid 2>/dev/null; then
      echo "FAIL: $name: Yosys never ran under $dir: $(tail -2 "$work/$name.err")"; fail=1; kill $pid 2>/dev/null; return
    fi
  done
  kill -TERM $pid
  wait $pid; local rc=$?
  [ $rc -eq 143 ] || { echo "FAIL: $name: exit $rc after SIGTERM, not 143: $(tail -2 "$work/$name.err")"; fail=1; }
  [ ! -e "$work/$name.json" ] || { echo "FAIL: $name: a report was written after SIGTERM"; fail=1; }
  t=0
  while [ -n "$(under "$dir")" ] && [ $t -lt 3 ]; do sleep 0.1; t=$((t + 1)); done
  local left; left=$(under "$dir")
  if [ -n "$left" ]; then
    echo "FAIL: $name: still running 0.3 s after SIGTERM: $(echo $left)"; fail=1
    under "$dir" | while read -r p _; do kill -KILL "$p" 2>/dev/null; done
  else
    echo "ok: $name: SIGTERM during Yosys: exit $rc, nothing left running ($(tail -1 "$work/$name.err"))"
  fi
}
# fc1 of the MNIST MLP: a 784-word scratchpad, many seconds of Yosys.
stop_during_yosys single --config "$src/configs/mlp_mnist.json" --layer fc1
stop_during_yosys network --network --config "$src/configs/mlp_mnist.json" --jobs 1
exit $fail
