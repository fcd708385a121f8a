#!/usr/bin/env bash
# A stopped synthesis or co-simulation leaves nothing running: SIGTERM to
# `taxonn synth` (a PE pair, inline) and to `taxonn synth --network` (its
# units as batch jobs) while Yosys maps, and to `taxonn sim` while it builds
# a testbench (Verilator, make, the compiler) and while a testbench runs,
# must end the command (exit 143, no report written) and, at once (within
# 0.3 s), every process it started (they run in a process group of their
# own, killed with the command: subprocess.hpp).
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

# `taxonn sim` with a cache of its own: stopped while it builds (the
# compiler runs in the cache's folders), then, built, while its testbench
# runs (its command line names the run's --out).
export TAXONN_SIM_CACHE=$work/simcache
running() { pgrep -f -- "$1" | grep -vw "$2" || true; }  # pattern, pid of the command itself
stop_sim() {  # name, what to wait for (build or run)
  local name=$1 what=$2 out=$work/$1
  "$taxonn" sim --config "$src/configs/mlp_small.json" --steps 100000000 --out "$out" \
    > "$work/$name.out" 2> "$work/$name.err" &
  local pid=$! t=0
  until if [ "$what" = build ]; then under "$TAXONN_SIM_CACHE" | grep . > /dev/null
        else [ -n "$(running "tb.*$out" $pid)" ]; fi; do
    sleep 0.1; t=$((t + 1))
    if [ $t -ge 3000 ] || ! kill -0 $pid 2>/dev/null; then
      echo "FAIL: $name: the $what never started: $(tail -2 "$work/$name.out")"; fail=1; kill $pid 2>/dev/null; return
    fi
  done
  kill -TERM $pid
  wait $pid; local rc=$?
  [ $rc -eq 143 ] || { echo "FAIL: $name: exit $rc after SIGTERM, not 143: $(tail -2 "$work/$name.err")"; fail=1; return; }
  [ ! -e "$out/sim.json" ] || { echo "FAIL: $name: a report was written after SIGTERM"; fail=1; }
  t=0
  while [ -n "$(under "$TAXONN_SIM_CACHE")$(running "$out" $pid)" ] && [ $t -lt 3 ]; do sleep 0.1; t=$((t + 1)); done
  local left; left="$(under "$TAXONN_SIM_CACHE")$(running "$out" $pid)"
  if [ -n "$left" ]; then
    echo "FAIL: $name: still running 0.3 s after SIGTERM: $(echo $left)"; fail=1
    { under "$TAXONN_SIM_CACHE" | cut -d' ' -f1; running "$out" $pid; } | while read -r p; do kill -KILL "$p" 2>/dev/null; done
  else
    echo "ok: $name: SIGTERM during the $what: exit $rc, nothing left running ($(tail -1 "$work/$name.err"))"
  fi
}
stop_sim sim_build build
"$taxonn" sim --config "$src/configs/mlp_small.json" --build-only --out "$work/sim_built" > "$work/sim_built.txt" 2>&1 ||
  { echo "FAIL: sim --build-only: $(tail -2 "$work/sim_built.txt")"; fail=1; }
stop_sim sim_run run
exit $fail
