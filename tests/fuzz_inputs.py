#!/usr/bin/env python3
"""Fuzz-style bad input over every entry point (issue 18, item 3).

A seeded corpus of malformed configs, experiment specs, weights files,
reproducers and option values goes to each CLI subcommand and to the
testbenches. A case fails when the program crashes (a signal, or an exit code
other than 0, 1, 2), hangs (the timeout), exits 0 without its output, or
exits non-zero leaving a partial output behind or printing more than one
line of error. Failed cases are written as one-file regression cases into
WORK/found/ (copy them into tests/fuzz_cases/, which every run replays).

Usage: fuzz_inputs.py TAXONN_BINARY SOURCE_DIR WORK_DIR TB_DIR [--cases N] [--seed S]
"""
import copy
import glob
import json
import os
import random
import shutil
import subprocess
import sys

TIMEOUT = 60


def mutations(rng, doc):
    """One malformed variant of a JSON document: a random path changed in type or value, deleted, or
    duplicated under a new key."""
    d = copy.deepcopy(doc)
    paths = []

    def walk(x, path):
        paths.append(path)
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, path + [k])
        elif isinstance(x, list):
            for i, v in enumerate(x):
                walk(v, path + [i])

    walk(d, [])
    path = rng.choice(paths[1:] or [[]])
    parent = d
    for k in path[:-1]:
        parent = parent[k]
    key = path[-1] if path else None
    values = [None, True, -1, 0, 2**31, 2**63 + 100, -2**63 - 1, 1e308, float("nan"), -0.5, "", "x" * 300,
              [], {}, [1, 2, 3], {"a": 1}, "0x", "NaN", 1.5]
    op = rng.choice(["set", "set", "set", "delete", "extra"])
    if key is None:
        return rng.choice(values)
    if op == "delete" and isinstance(parent, dict):
        del parent[key]
    elif op == "extra" and isinstance(parent, dict):
        parent["unknown_" + str(rng.randrange(100))] = rng.choice(values)
    else:
        parent[key] = rng.choice(values)
    return d


def text_mutation(rng, text):
    """Bytes-level damage: truncation, a flipped character, or garbage."""
    op = rng.choice(["truncate", "flip", "garbage", "empty"])
    if op == "truncate":
        return text[: rng.randrange(max(1, len(text)))]
    if op == "flip" and text:
        i = rng.randrange(len(text))
        return text[:i] + rng.choice("{}[],:\"\\\x00") + text[i + 1:]
    if op == "empty":
        return ""
    return "".join(chr(rng.randrange(1, 256)) for _ in range(rng.randrange(1, 200)))


def dump(doc):
    return json.dumps(doc, allow_nan=True)


class Runner:
    def __init__(self, work):
        self.work = work
        self.failures = []
        self.count = 0
        self.codes = {}

    def run(self, name, argv, outputs, files):
        """Run one case. `outputs`: paths the program writes on success; `files`: the inputs written for it
        (name -> text), kept for a reproducer."""
        self.count += 1
        case_dir = os.path.join(self.work, "case")
        shutil.rmtree(case_dir, ignore_errors=True)
        os.makedirs(case_dir)
        for fname, text in files.items():
            with open(os.path.join(case_dir, fname), "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(text)
        argv = [a.replace("@CASE@", case_dir) for a in argv]
        outputs = [o.replace("@CASE@", case_dir) for o in outputs]
        why = ""
        try:
            p = subprocess.run(argv, cwd=case_dir, capture_output=True, timeout=TIMEOUT, text=True, errors="replace")
            rc, err = p.returncode, p.stderr.strip()
            self.codes[rc] = self.codes.get(rc, 0) + 1
            if rc < 0 or rc not in (0, 1, 2):
                why = f"crashed (exit {rc})"
            elif rc == 0 and not all(os.path.exists(o) for o in outputs):
                why = "exit 0 without its output"
            elif rc != 0 and any(os.path.exists(o) for o in outputs):
                why = f"exit {rc} left a partial output"
            elif rc == 2 and len([l for l in err.splitlines() if l.strip()]) != 1:
                why = f"bad input not reported in one line: {err[:300]!r}"
        except subprocess.TimeoutExpired:
            why = f"hung (no exit in {TIMEOUT} s)"
            err = ""
        if why:
            self.failures.append(f"{name}: {why}: {' '.join(argv)}")
            found = os.path.join(self.work, "found")
            os.makedirs(found, exist_ok=True)
            with open(os.path.join(found, f"case{self.count:04d}.json"), "w") as f:
                json.dump({"name": name, "argv": argv, "outputs": outputs, "files": files, "why": why}, f, indent=1)


def main():
    taxonn, src, work, tb_dir = (os.path.abspath(p) for p in sys.argv[1:5])
    n = int(sys.argv[sys.argv.index("--cases") + 1]) if "--cases" in sys.argv else 40
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
    rng = random.Random(seed)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    print(f"fuzz_inputs: seed {seed}, {n} cases per entry point")
    r = Runner(work)
    configs = {os.path.basename(p)[:-5]: json.load(open(p)) for p in sorted(glob.glob(f"{src}/configs/*.json"))}
    small = configs["mlp_small"]
    mnist_cfg = f"{src}/configs/mlp_mnist.json"
    data = ["--dataset", "mnist"] if os.path.isdir(f"{src}/../shared/datasets/mnist") else ["--dataset", "fashion-mnist"]

    # Kept regression cases first.
    for p in sorted(glob.glob(f"{src}/tests/fuzz_cases/*.json")):
        c = json.load(open(p))
        argv = [a.replace("@TAXONN@", taxonn).replace("@SRC@", src).replace("@TB@", tb_dir) for a in c["argv"]]
        r.run("kept " + os.path.basename(p), argv, c["outputs"], c["files"])

    for i in range(n):
        name = rng.choice(sorted(configs))
        cfg = mutations(rng, configs[name]) if rng.random() < 0.8 else text_mutation(rng, dump(configs[name]))
        text = cfg if isinstance(cfg, str) else dump(cfg)
        r.run(f"generate {name} #{i}", [taxonn, "generate", "--config", "c.json", "--out", "@CASE@/out"],
              ["@CASE@/out/filelist.f"], {"c.json": text})
        r.run(f"train {name} #{i}", [taxonn, "train", "--config", "c.json", *data, "--train-limit", "20",
                                     "--test-limit", "5", "--quiet", "--out", "@CASE@/out"],
              ["@CASE@/out/train.json"], {"c.json": text})
        r.run(f"synth {name} #{i}", [taxonn, "synth", "--config", "c.json", "--work", "@CASE@/w", "--json",
                                     "@CASE@/out.json", "--no-breakdown", "--layer", "no_such_layer"],
              ["@CASE@/out.json"], {"c.json": text})

    # Weights files for train --load.
    subprocess.run([taxonn, "train", "--config", mnist_cfg, *data, "--train-limit", "50", "--test-limit", "5",
                    "--quiet", "--save", f"{work}/w.json"], check=True, capture_output=True)
    weights = json.load(open(f"{work}/w.json"))
    for i in range(n):
        w = mutations(rng, weights) if rng.random() < 0.8 else text_mutation(rng, dump(weights))
        r.run(f"train --load #{i}", [taxonn, "train", "--config", mnist_cfg, *data, "--train-limit", "20",
                                     "--test-limit", "5", "--quiet", "--load", "w.json", "--out", "@CASE@/out"],
              ["@CASE@/out/train.json"], {"w.json": w if isinstance(w, str) else dump(w)})

    # Experiment specs.
    spec = json.load(open(f"{src}/configs/experiments/table1.json"))
    # One seed: a valid mutation trains 10 runs, not 30, well inside the hang
    # timeout also on a loaded machine (30 took 81 s beside a synthesis job).
    spec["seeds"] = [1]
    for st in spec.get("studies", []):
        st["config"] = os.path.abspath(os.path.join(src, "configs/experiments", st["config"]))
    for i in range(n // 2):
        sp = mutations(rng, spec) if rng.random() < 0.8 else text_mutation(rng, dump(spec))
        r.run(f"experiment #{i}", [taxonn, "experiment", "--spec", "s.json", "--out", "@CASE@/out",
                                   "--train-limit", "10", "--test-limit", "5", "--epochs", "1", "--skip-missing"],
              ["@CASE@/out/results.json"], {"s.json": sp if isinstance(sp, str) else dump(sp)})

    # Explore specs, checked (--check runs nothing, so a valid mutation ends at once).
    espec = json.load(open(f"{src}/tests/explore/mlp_small_teacher.json"))
    espec["config"] = f"{src}/configs/mlp_small.json"
    espec["synth"]["liberty"] = "/nonexistent.lib"  # a missing liberty is a note, not an error
    for i in range(n // 2):
        sp = mutations(rng, espec) if rng.random() < 0.8 else text_mutation(rng, dump(espec))
        r.run(f"explore #{i}", [taxonn, "explore", "--spec", "s.json", "--check", "--out", "@CASE@/out"], [],
              {"s.json": sp if isinstance(sp, str) else dump(sp)})

    # Option values of every subcommand.
    bad_values = ["-1", "0", "nan", "1e999", "abc", "", "18446744073709551616", "--", "2,", ":", "13:"]
    option_cases = [
        (["train", "--config", mnist_cfg, *data, "--quiet", "--out", "@CASE@/out"],
         ["--epochs", "--seed", "--train-limit", "--test-limit", "--alpha", "--formats", "--arith"], "@CASE@/out/train.json"),
        (["synth", "--config", f"{src}/configs/pe_w16.json", "--work", "@CASE@/w", "--json", "@CASE@/o.json"],
         ["--clock-ns", "--format", "--sweep", "--jobs", "--layer"], "@CASE@/o.json"),
        (["sim", "--config", f"{src}/configs/mlp_small.json", "--out", "@CASE@/out", "--build-only"],
         ["--iters", "--steps", "--seed", "--check-every", "--infer-every", "--jobs", "--dataset", "--replay", "--trace", "--trace-start",
          "--trace-cycles", "--trace-step"], "@CASE@/out/sim.json"),
        (["generate", "--out", "@CASE@/out"], ["--config"], "@CASE@/out/filelist.f"),
    ]
    for i in range(n):
        base, opts, out = rng.choice(option_cases)
        opt, val = rng.choice(opts), rng.choice(bad_values)
        r.run(f"{base[0]} {opt} {val!r}", [taxonn, *base, opt, val], [out], {})

    # The testbenches: bad configs, reproducers and counts.
    tbs = [t for t in ("tb_pe_mlp_small", "tb_net_mlp_small", "tb_acc", "tb_rq") if os.path.exists(f"{tb_dir}/{t}")]
    if not tbs:
        print(f"fuzz_inputs: no testbenches in {tb_dir}; build them first (make build)")
        sys.exit(1)
    for i in range(n):
        tb = rng.choice(tbs)
        kind = rng.choice(["config", "replay", "count"])
        files, argv = {}, [f"{tb_dir}/{tb}"]
        if kind == "config" and not tb.startswith("tb_pe") and not tb.startswith("tb_net"):
            kind = "replay"
        if kind == "config":
            c = mutations(rng, small) if rng.random() < 0.8 else text_mutation(rng, dump(small))
            files["c.json"] = c if isinstance(c, str) else dump(c)
            argv += ["--config", "c.json"]
        elif kind == "replay":
            files["r.json"] = text_mutation(rng, dump({"testbench": tb, "seed": 1, "steps": 1, "cases": [1, 2]}))
            argv += ["--replay", "r.json"] + (["--config", f"{src}/configs/mlp_small.json"] if "pe_" in tb or "net" in tb else [])
        else:
            argv += [rng.choice(["--seed", "--iters", "--steps", "--trace-start", "--trace-cycles"]), rng.choice(bad_values)]
            if "pe_" in tb or "net" in tb:
                argv += ["--config", f"{src}/configs/mlp_small.json"]
        argv += ["--json", "@CASE@/o.json"] if rng.random() < 0.5 else []
        r.run(f"{tb} {kind} #{i}", argv, [], files)

    for f in r.failures:
        print("FAIL", f)
    codes = ", ".join(f"exit {k}: {v}" for k, v in sorted(r.codes.items()))
    print(f"fuzz_inputs: {r.count} cases ({codes}), {len(r.failures)} failed"
          + (f"; reproducers in {work}/found (copy into tests/fuzz_cases/)" if r.failures else ""))
    sys.exit(1 if r.failures else 0)


if __name__ == "__main__":
    main()
