# Verilator's arguments for every co-simulation model, in one place: the
# shipped testbenches (verilator_tb/CMakeLists.txt) and `taxonn sim` (through
# build/sim_kit.json) verilate with the same ones.
# -O3 and --x-assign/--x-initial fast for simulation speed (the designs reset
# or load every register they read, so X handling does not change a result);
# -Wno-fatal because the harnesses are not lint targets (the design itself is
# linted with -Wall separately, tests/lint.sh).
set(TAXONN_VL_ARGS -O3 --x-assign fast --x-initial fast -Wno-fatal -Wno-lint -Wno-style)
