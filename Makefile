# taxonn: the two commands of a fresh Debian machine are `make` and
# `make test` (README.md). Both first install the Debian packages the project
# uses when they are missing (as root), or print the apt-get line to run.

BUILD    ?= build
CONFIG   ?= configs/mlp_small.json
NAME     := $(basename $(notdir $(CONFIG)))
OUT      ?= $(BUILD)/out/$(NAME)
# Nangate45 from ../shared/pdk when the checkout has it; else LIBERTY= (generic cells).
LIBERTY  ?= $(wildcard ../shared/pdk/nangate45_typ.lib.gz)
# Empty: the first fc/conv layer.
SYNTH_LAYER ?=
CYCLES   ?= 20000
NET_STEPS ?= 200
# More `taxonn sim` options, e.g. SIM_FLAGS=--pe-only for a config the
# network RTL does not cover, or SIM_FLAGS="--dataset fashion-mnist".
SIM_FLAGS ?=
# Network testbenches of the cycle table (cmake/testbench_stage.cmake).
NET_CONFIGS := mlp_small mlp_mixed mlp_mnist mlp_mnist_folded mlp_mnist100 cnn_small lenet5_mnist
JOBS     ?= $(shell nproc)
# Where the result targets (synth-sweep, accel, bench, bench-sim, cycles, regress-*,
# table1) write: build/results/ by default, so that a user's run never
# overwrites the shipped results; DOCS=1 writes docs/ (what the docs cite).
RESULTS  ?= $(if $(DOCS),docs,$(BUILD)/results)
# How the batch targets (synth-sweep, accel, table1, table1-long) run their
# jobs: empty for this machine; e.g. BATCH="--backend slurm --slurm-partition
# short" for a Slurm cluster (docs/cluster.md).
BATCH    ?=

DEB_PACKAGES := cmake make g++ python3 verilator yosys iverilog opensta gnuplot-nox \
                libfmt-dev nlohmann-json3-dev libcli11-dev libgtest-dev zlib1g-dev libxxhash-dev \
                python3-yaml dataset-fashion-mnist \
                slurmctld slurmd slurm-client munge

.PHONY: all deps build run test synth synth-sweep accel bench bench-cluster bench-sim table1 table1-long table1-xl table1-shift table1-shift24 table1-fashion explore-mlp explore-lenet cycles regress-mlp regress-lenet epoch-mlp update-golden clean

all: run

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "taxonn: installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	      || { echo "taxonn: apt-get install failed for:$$missing"; exit 1; }; \
	  else \
	    echo "taxonn: missing Debian packages; run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) --parallel $(JOBS)

# The main job on CONFIG (any config, not only the shipped ones): generate
# the RTL, co-simulate it with `taxonn sim` (both PEs of every layer, then
# the network training, each against the golden model; the testbenches are
# built on demand and cached), synthesize one layer's PE pair. A check that
# fails or cannot run fails the job.
run: build
	@set -e; \
	echo "== generate $(CONFIG)"; \
	$(BUILD)/taxonn generate --config $(CONFIG) --out $(OUT); \
	echo "== co-simulate (taxonn sim: Verilator vs golden model, $(CYCLES) PE cycles, $(NET_STEPS) SGD steps)"; \
	$(BUILD)/taxonn sim --config $(CONFIG) --out $(OUT)/sim --iters $(CYCLES) --steps $(NET_STEPS) \
	  --jobs $(JOBS) --quiet $(SIM_FLAGS) \
	  || { echo "taxonn: the co-simulation of $(CONFIG) failed or could not run: the main job fails" \
	       "(for a config the network RTL does not cover: SIM_FLAGS=--pe-only)"; exit 1; }; \
	echo "== synthesize $(if $(SYNTH_LAYER),layer $(SYNTH_LAYER),the first weighted layer)"; \
	$(BUILD)/taxonn synth --config $(CONFIG) $(if $(SYNTH_LAYER),--layer $(SYNTH_LAYER)) $(if $(LIBERTY),--liberty $(LIBERTY)) \
	  --work $(OUT)/synth --json $(OUT)/synth.json | tee $(OUT)/synth.txt; \
	echo; echo "== summary of $(NAME)"; \
	echo "  RTL:       $(OUT)/rtl ($$(ls $(OUT)/rtl | wc -l) files), $(OUT)/filelist.f"; \
	sed 's/^/  cosim: /' $(OUT)/sim/summary.txt; \
	echo "  synthesis: $$(grep overhead $(OUT)/synth.txt | sed "s/^ *//") ($(OUT)/synth.json)"

test: build
	cd $(BUILD) && ctest --output-on-failure --parallel $(JOBS)

# Area of the PE pair at one format: make synth CONFIG=configs/pe_w16.json SYNTH_LAYER=pe
synth: build
	$(BUILD)/taxonn synth --config $(CONFIG) $(if $(SYNTH_LAYER),--layer $(SYNTH_LAYER)) $(if $(LIBERTY),--liberty $(LIBERTY)) \
	  --work $(OUT)/synth --json $(OUT)/synth.json

# The paper's Tables II and III, measured: both PEs at W = 13..21 with area,
# Fmax and power, beside the paper's numbers (docs/synth/table.md, a plot);
# then the same with the scratchpad words on gated clocks, compared W by W
# with the first (docs/synth_gated/table.md; it needs a liberty with a
# clock-gating cell, as Nangate45's); then with the scratchpad in SRAM
# macros (SRAM=DIR, fakeram45 from ../shared/pdk when the checkout has it),
# compared with the first (docs/synth_sram/table.md).
synth-sweep: build
	$(BUILD)/taxonn synth --config configs/pe_w16.json --layer pe --sweep 13:21 --jobs $(JOBS) $(BATCH) \
	  $(if $(LIBERTY),--liberty $(LIBERTY)) --work $(BUILD)/synth_sweep --out $(RESULTS)/synth
	$(BUILD)/taxonn synth --config configs/pe_w16.json --layer pe --sweep 13:21 --jobs $(JOBS) $(BATCH) \
	  $(if $(LIBERTY),--liberty $(LIBERTY)) --clock-gating on --compare $(RESULTS)/synth/sweep.json \
	  --work $(BUILD)/synth_sweep_gated --out $(RESULTS)/synth_gated
	$(BUILD)/taxonn synth --config configs/pe_w16.json --layer pe --sweep 13:21 --jobs $(JOBS) $(BATCH) \
	  $(if $(LIBERTY),--liberty $(LIBERTY)) --memory sram $(if $(SRAM),--sram $(SRAM)) --compare $(RESULTS)/synth/sweep.json \
	  --work $(BUILD)/synth_sweep_sram --out $(RESULTS)/synth_sram

# The whole accelerator (issue 4): area, Fmax, power and energy per SGD step
# of the MNIST MLP, unfolded and folded, and of LeNet-5, unit by unit (docs/accel/).
# MEMORY=sram: the same accelerators with SRAM scratchpads (synth --memory
# sram, the macros of SRAM: fakeram45 from ../shared/pdk when the checkout
# has it), into accel_sram/ (issue 17; docs/memory.md). GATING=on: the
# flip-flop memories on gated clocks (synth --clock-gating on) beside the
# same accelerator ungated (<config>_ungated), both with their PEs' power
# from the gate-level simulation (--pe-power gate), into accel_gated/
# (docs/power.md).
ACCEL_CONFIGS ?= mlp_mnist mlp_mnist_folded lenet5_mnist
MEMORY   ?= flops
GATING   ?= off
SRAM     ?= $(wildcard ../shared/pdk/fakeram45)
ACCEL    := accel$(if $(filter sram,$(MEMORY)),_sram)$(if $(filter on,$(GATING)),_gated)
# Each run: NAME:GATING (on, off, or the config's own).
ACCEL_RUNS := $(if $(filter on,$(GATING)),$(foreach c,$(ACCEL_CONFIGS),$(c):on $(c)_ungated:off),$(foreach c,$(ACCEL_CONFIGS),$(c):config))
accel: build
	@mkdir -p $(RESULTS)/$(ACCEL) $(BUILD)/$(ACCEL)
	@set -e; for run in $(ACCEL_RUNS); do \
	  n=$${run%%:*}; g=$${run##*:}; c=$${n%_ungated}; \
	  $(BUILD)/taxonn synth --network --config configs/$$c.json $(if $(LIBERTY),--liberty $(LIBERTY)) --jobs $(JOBS) $(BATCH) \
	    --memory $(MEMORY) $(if $(and $(filter sram,$(MEMORY)),$(SRAM)),--sram $(SRAM)) \
	    $$([ $$g = config ] || echo --clock-gating $$g --pe-power gate) \
	    --work $(BUILD)/$(ACCEL)/$$n --json $(RESULTS)/$(ACCEL)/$$n.json > $(BUILD)/$(ACCEL)/$$n.txt; \
	  cp $(BUILD)/$(ACCEL)/$$n.txt $(RESULTS)/$(ACCEL)/$$n.txt; cat $(RESULTS)/$(ACCEL)/$$n.txt; \
	done
	$(BUILD)/taxonn accel-table $(foreach r,$(ACCEL_RUNS),--json $(RESULTS)/$(ACCEL)/$(firstword $(subst :, ,$(r))).json) \
	  --out $(RESULTS)/$(ACCEL)/summary.md

# Throughput figures (printed and written to $(RESULTS)/bench/, not
# asserted): LeNet-5 training, fixed and float, and against commit
# $(BASELINE)'s golden model built and run beside it (issue 14's starting
# point; built once into $(BUILD)/bench_baseline/); the RTL simulation of
# 784-100-10 and of LeNet-5 against the golden model.
BASELINE ?= bdfb6bc
# What a batch pays for Slurm against the local pool, on the single-node
# test cluster (docs/cluster.md): one job's latency, the overhead per job.
bench-cluster: build
	tests/bench_cluster.sh $(BUILD)/taxonn $(CURDIR) $(BUILD)/bench_cluster $(RESULTS)/cluster

bench: build
	$(BUILD)/tests/taxonn_bench 6000 --out $(RESULTS)/bench
	tests/bench_baseline.sh $(BUILD)/tests/taxonn_bench $(BUILD) $(RESULTS)/bench $(BASELINE)
	@echo "== RTL simulation vs golden model: 784-100-10 (mlp_mnist100), 300 SGD steps, plain and profile-guided"
	tests/bench_rtl.sh $(BUILD)/taxonn $(BUILD) configs/mlp_mnist100.json 300 $(RESULTS)/bench/rtl_mlp_mnist100.txt
	@echo "== RTL simulation vs golden model: LeNet-5 (lenet5_mnist), 100 SGD steps, plain and profile-guided"
	tests/bench_rtl.sh $(BUILD)/taxonn $(BUILD) configs/lenet5_mnist.json 100 $(RESULTS)/bench/rtl_lenet5_mnist.txt

# One MNIST epoch of 784-100-10 in RTL (issue 19, item 4; about 6 minutes):
# 60,000 SGD steps of the profile-guided testbench, every step checked
# against the golden model (weights every 1,000 steps), and its wall time
# (the testbench built first, untimed).
epoch-mlp: build
	@mkdir -p $(RESULTS)/epoch
	$(BUILD)/taxonn sim --config configs/mlp_mnist100.json --pgo --build-only --out $(BUILD)/epoch/mlp_mnist100 > /dev/null
	@t0=$$(date +%s.%N); \
	$(BUILD)/taxonn sim --config configs/mlp_mnist100.json --pgo --steps 60000 --check-every 1000 --infer-every 100 --quiet \
	  --out $(BUILD)/epoch/mlp_mnist100 || exit 1; \
	echo "$$(awk -v a=$$t0 -v b=$$(date +%s.%N) 'BEGIN { printf "%.1f", b - a }') s wall: taxonn sim --pgo --steps 60000 (PE check, network epoch, checks)" \
	  | tee $(RESULTS)/epoch/mlp_mnist100_wall.txt
	cp $(BUILD)/epoch/mlp_mnist100/net.json $(RESULTS)/epoch/mlp_mnist100.json
	cp $(BUILD)/epoch/mlp_mnist100/net.txt $(RESULTS)/epoch/mlp_mnist100.txt

# Build times of `taxonn sim` testbenches (issue 13): each config's PE and
# network testbench from an empty cache, stage by stage, and the model's
# compile flags against -O3 on 784-100-10 (docs/sim/, about 4 minutes).
SIM_BENCH_CONFIGS ?= mlp_small mlp_mnist lenet5_mnist
bench-sim: build
	$(BUILD)/taxonn bench-sim $(foreach c,$(SIM_BENCH_CONFIGS),--config configs/$(c).json) --jobs $(JOBS) \
	  --compare-opt configs/mlp_mnist100.json --out $(RESULTS)/sim

# The cycle table (docs/cycles.md): every network testbench runs one SGD step
# and reports its per-phase counters, set beside the paper's formulas.
cycles: build
	@mkdir -p $(BUILD)/cycles
	@set -e; for c in $(NET_CONFIGS); do \
	  $(BUILD)/verilator_tb/tb_net_$$c --config configs/$$c.json --steps 1 --quiet \
	    $$( case $$c in mlp_small|mlp_mixed|cnn_small) echo --dataset random;; esac ) \
	    --json $(BUILD)/cycles/$$c.json >/dev/null; \
	done
	$(BUILD)/taxonn cycles --measured $(foreach c,$(NET_CONFIGS),$(BUILD)/cycles/$(c).json) --out $(RESULTS)/cycles

# The long regression of the network RTL (about 3 minutes): 10,000 SGD steps
# of 784-100-10 on MNIST, every weight checked after every step, then the
# test accuracy of the weights the RTL trained beside the golden model's;
# the loss and accuracy curve as CSV and SVG.
regress-mlp: build
	@mkdir -p $(RESULTS)/regress
	$(BUILD)/verilator_tb/tb_net_mlp_mnist100 --config configs/mlp_mnist100.json --steps 10000 --eval 10000 \
	  --json $(RESULTS)/regress/mlp_mnist100.json --curve $(RESULTS)/regress/mlp_mnist100_curve --repro-dir $(BUILD) \
	  | tee $(RESULTS)/regress/mlp_mnist100.txt

# The long regression of LeNet-5 in RTL (about 5 minutes): 1,000 SGD steps on
# MNIST, every weight, Y, G and cycle count checked after every step, then the
# test accuracy of the RTL-trained weights beside the golden model's.
regress-lenet: build
	@mkdir -p $(RESULTS)/regress
	$(BUILD)/verilator_tb/tb_net_lenet5_mnist --config configs/lenet5_mnist.json --steps 1000 --eval 10000 \
	  --json $(RESULTS)/regress/lenet5_mnist.json --curve $(RESULTS)/regress/lenet5_mnist_curve --repro-dir $(BUILD) \
	  | tee $(RESULTS)/regress/lenet5_mnist.txt

# The paper's Table I and Fig. 5, measured (about 10-20 minutes on 2 cores):
# docs/table1/table.md, results.{json,csv}, curves.csv, *_loss.svg.
table1: build
	$(BUILD)/taxonn experiment --spec configs/experiments/table1.json --out $(RESULTS)/table1 --jobs $(JOBS) $(BATCH)

# Table I with 8 epochs, bias and a halved learning rate from epoch 5 (issue
# 14, item 3; about 15-30 minutes on 2 cores): docs/table1_long/, the same files
# as table1's plus a table of the test accuracy after each epoch.
table1-long: build
	$(BUILD)/taxonn experiment --spec configs/experiments/table1_long.json --out $(RESULTS)/table1_long --jobs $(JOBS) $(BATCH)

# MNIST's two table1-long rows that train on every seed, for 16 epochs with
# alpha halved every 4 (issue 14, item 3: the paper's 99.1%; about 30
# minutes on 2 cores): docs/table1_xl/.
table1-xl: build
	$(BUILD)/taxonn experiment --spec configs/experiments/table1_xl.json --out $(RESULTS)/table1_xl --jobs $(JOBS) $(BATCH)

# table1-xl's recipe with each training image moved by up to 2 pixels
# (train --shift; issue 14, item 3; about 2 hours on 2 cores): docs/table1_shift/.
table1-shift: build
	$(BUILD)/taxonn experiment --spec configs/experiments/table1_shift.json --out $(RESULTS)/table1_shift --jobs $(JOBS) $(BATCH)

# table1-shift's float and stochastic rows for 24 epochs, alpha halved every
# 6, on MNIST and Fashion-MNIST (issue 14, item 3; 3 seeds, about an hour on
# 2 cores): docs/table1_shift24/.
table1-shift24: build
	$(BUILD)/taxonn experiment --spec configs/experiments/table1_shift24.json --out $(RESULTS)/table1_shift24 --jobs $(JOBS) $(BATCH)

# table1-shift24's Fashion-MNIST rows with more fraction bits (F + 2, F + 4)
# and one more integer bit in conv1, to tell resolution from range, 6 seeds
# (issue 14, item 3; 30 runs, about 70 minutes on 2 cores): docs/table1_fashion/.
table1-fashion: build
	$(BUILD)/taxonn experiment --spec configs/experiments/table1_fashion.json --out $(RESULTS)/table1_fashion --jobs $(JOBS) $(BATCH)

# Format searches (taxonn explore, docs/explore.md): the front of accuracy
# against area and energy per training sample, with the paper's formats and
# uniform widths W = 8..16 marked; the jobs (trainings, unit syntheses, RTL
# checks) in $(BUILD)/explore/<study>, so a rerun or a killed run resumes.
# explore-mlp: 784-100-10, about 1.5 hours on 2 cores; explore-lenet: LeNet-5,
# many hours (each new conv format re-maps that layer's buffers).
explore-mlp: build
	$(BUILD)/taxonn explore --spec configs/explore/mlp_mnist100.json --out $(RESULTS)/explore/mlp_mnist100 	  --batch-work $(BUILD)/explore/mlp_mnist100 --jobs $(JOBS) $(BATCH)

explore-lenet: build
	$(BUILD)/taxonn explore --spec configs/explore/lenet5_mnist.json --out $(RESULTS)/explore/lenet5_mnist 	  --batch-work $(BUILD)/explore/lenet5_mnist --jobs $(JOBS) $(BATCH)

# Rewrite tests/golden/ after an intended change of the generated text.
update-golden: build
	TAXONN_UPDATE_GOLDEN=1 $(BUILD)/tests/taxonn_unit_tests --gtest_filter='Generator.MatchesGoldenFiles'
	git status --short tests/golden

clean:
	rm -rf $(BUILD)
