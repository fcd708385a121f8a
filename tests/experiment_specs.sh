#!/usr/bin/env bash
# Every committed experiment spec (configs/experiments/*.json with studies)
# still runs: its fields, configs, formats, seeds and schedule resolve, and
# every run of every study trains (one seed, one short epoch) and lands in
# results.json without an error. The specs stand behind the Table I figures
# in docs/ (`make table1*`); without this a spec broken by a change elsewhere
# (a renamed config field, a format the checks now refuse) would be found
# only by the hour-long regeneration.
# Without MNIST (no ../shared) the MNIST studies run on Fashion-MNIST, which
# Debian ships, so every study is still checked rather than skipped.
# Usage: experiment_specs.sh TAXONN_BINARY SOURCE_DIR WORK_DIR
set -uo pipefail
taxonn=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
mnist=1
[ -d "$src/../shared/datasets/mnist" ] || { mnist=0; echo "no ../shared/datasets/mnist: the MNIST studies run on fashion-mnist"; }
fail=0 n=0
for spec in "$src"/configs/experiments/*.json; do
  name=$(basename "$spec" .json)
  grep -q '"studies"' "$spec" || continue  # a run's training config, not a spec
  n=$((n + 1))
  use=$spec
  if [ $mnist = 0 ]; then
    use=$work/$name.spec.json
    python3 - "$spec" "$use" <<'PY' || { echo "FAIL: $name: could not rewrite for fashion-mnist"; fail=1; continue; }
import json, os, sys
src, dst = sys.argv[1:]
spec = json.load(open(src))
here = os.path.dirname(os.path.abspath(src))
for st in spec["studies"]:
    if st["dataset"] == "mnist":
        st["dataset"] = "fashion-mnist"
    for obj in [st] + st.get("runs", []):
        if "config" in obj:
            obj["config"] = os.path.join(here, obj["config"])
json.dump(spec, open(dst, "w"))
PY
  fi
  out=$work/$name
  if ! "$taxonn" experiment --spec "$use" --out "$out" --seeds 1 --epochs 1 --train-limit 20 --test-limit 20 \
      --jobs 2 > "$out.log" 2>&1; then
    echo "FAIL: $name: taxonn experiment failed:"; tail -3 "$out.log"; fail=1; continue
  fi
  python3 - "$spec" "$out/results.json" "$name" <<'PY' || fail=1
import json, sys
spec, res, name = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
want = sum(len(st["runs"]) for st in spec["studies"])
runs = res["runs"]
bad = [f"{r['study']} / {r['label']}: {r['error']}" for r in runs if r.get("error")]
if len(runs) != want or bad or res.get("skipped"):
    print(f"FAIL: {name}: {len(runs)} of {want} runs in results.json; errors {bad}; skipped {res.get('skipped')}")
    sys.exit(1)
print(f"{name}: {want} runs trained")
PY
done
[ $n -ge 1 ] || { echo "FAIL: no experiment specs in $src/configs/experiments"; fail=1; }
exit $fail
