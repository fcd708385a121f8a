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
# wait_until NAME PID LIMIT COMMAND...: poll COMMAND every 0.1 s (LIMIT tries)
# while the command PID runs; false (and a FAIL) when it never holds.
wait_until() {
  local name=$1 pid=$2 limit=$3 t=0; shift 3
  until "$@"; do
    sleep 0.1; t=$((t + 1))
    if [ $t -ge "$limit" ] || ! kill -0 "$pid" 2>/dev/null; then
      echo "FAIL: $name: never started: $(tail -2 "$work/$name.err")"; fail=1; kill "$pid" 2>/dev/null; return 1
    fi
  done
}
# stop_and_check NAME PID REPORT WHAT LEFT: SIGTERM to the command PID; it must
# exit 143 without writing REPORT, and LEFT (a function printing "pid ..." per
# process the command left) must print nothing within 0.3 s.
stop_and_check() {
  local name=$1 pid=$2 report=$3 what=$4 left=$5 t=0
  kill -TERM "$pid"
  wait "$pid"; local rc=$?
  [ $rc -eq 143 ] || { echo "FAIL: $name: exit $rc after SIGTERM, not 143: $(tail -2 "$work/$name.err")"; fail=1; return; }
  [ ! -e "$report" ] || { echo "FAIL: $name: a report was written after SIGTERM"; fail=1; }
  while [ -n "$($left)" ] && [ $t -lt 3 ]; do sleep 0.1; t=$((t + 1)); done
  local still; still=$($left)
  if [ -n "$still" ]; then
    echo "FAIL: $name: still running 0.3 s after SIGTERM: $(echo $still)"; fail=1
    $left | while read -r p _; do kill -KILL "$p" 2>/dev/null; done
  else
    echo "ok: $name: SIGTERM during $what: exit $rc, nothing left running ($(tail -1 "$work/$name.err"))"
  fi
}

stop_during_yosys() {  # name, then the synth arguments
  local name=$1; shift
  dir=$work/$name
  "$taxonn" synth "$@" --work "$dir" --json "$work/$name.json" > "$work/$name.out" 2> "$work/$name.err" &
  local pid=$!
  yosys_runs() { under "$dir" | grep -w yosys > /dev/null; }  # not -q: under must not die of SIGPIPE
  under_dir() { under "$dir"; }
  wait_until "$name" $pid 600 yosys_runs || return
  stop_and_check "$name" $pid "$work/$name.json" Yosys under_dir
}
# fc1 of the MNIST MLP: a 784-word scratchpad, many seconds of Yosys.
stop_during_yosys single --config "$src/configs/mlp_mnist.json" --layer fc1
stop_during_yosys network --network --config "$src/configs/mlp_mnist.json" --jobs 1

# `taxonn sim` with a cache of its own: stopped while it builds (the
# compiler runs in the cache's folders), then, built, while its testbench
# runs (its command line names the run's --out).
export TAXONN_SIM_CACHE=$work/simcache
stop_sim() {  # name, what to wait for (build or run)
  local name=$1 what=$2
  out=$work/$1
  "$taxonn" sim --config "$src/configs/mlp_small.json" --steps 100000000 --out "$out" \
    > "$work/$name.out" 2> "$work/$name.err" &
  pid=$!
  tb_of_run() { pgrep -f -- "$out" | grep -vw "$pid" | sed 's/$/ tb/' || true; }  # not the command itself
  left_of_sim() { under "$TAXONN_SIM_CACHE"; tb_of_run; }
  building() { under "$TAXONN_SIM_CACHE" | grep . > /dev/null; }
  # the network's testbench (its --json is net.json): the PE check before it ends by itself in a second
  tb_runs() { pgrep -f -- "$out/net" > /dev/null; }
  if [ "$what" = build ]; then wait_until "$name" $pid 3000 building || return
  else wait_until "$name" $pid 3000 tb_runs || return; fi
  stop_and_check "$name" $pid "$out/sim.json" "the $what" left_of_sim
}
stop_sim sim_build build
"$taxonn" sim --config "$src/configs/mlp_small.json" --build-only --out "$work/sim_built" > "$work/sim_built.txt" 2>&1 ||
  { echo "FAIL: sim --build-only: $(tail -2 "$work/sim_built.txt")"; fail=1; }
stop_sim sim_run run
exit $fail
