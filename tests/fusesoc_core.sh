#!/usr/bin/env bash
# The FuseSoC CAPI2 core that `taxonn generate` writes beside filelist.f
# (Debian has no fusesoc CLI, so its structure is checked here): YAML that
# parses, `CAPI=2:` first, a four-part VLNV name with the version, every file
# of filelist.f in its order and existing, the include file marked, a top
# module defined in those files, a lint target for Verilator with the
# waivers (rtl/lint_waivers.vlt, a vlt fileset for Verilator only, ahead of
# the sources); then the files as the core lists them lint clean with that
# top. Every shipped config, and cnn_small with clock gating (whose latch
# only the waiver lets through: without it, the lint must fail).
# Usage: fusesoc_core.sh TAXONN_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
taxonn=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
version=$("$taxonn" --version | awk '{print $2}')
for cfg in "$src"/configs/*.json "$src/configs/cnn_small.json:gated"; do
  gate=()
  case "$cfg" in *:gated) cfg=${cfg%:gated}; gate=(--clock-gating on) ;; esac
  name=$(basename "$cfg" .json)${gate:+_gated}
  out="$work/$name"
  "$taxonn" generate --config "$cfg" "${gate[@]}" --out "$out" >/dev/null
  core="$out/taxonn_$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$cfg").core"
  top=$(python3 - "$core" "$out" "$version" <<'PY'
import os, re, sys, yaml
core, out, version = sys.argv[1:]
text = open(core).read()
assert text.startswith("CAPI=2:\n"), "the first line must be CAPI=2:"
c = yaml.safe_load(text)
parts = c["name"].split(":")
assert len(parts) == 4 and parts[0] == "taxonn" and parts[3] == version, c["name"]
rtl = c["filesets"]["rtl"]
assert rtl["file_type"] == "verilogSource"
files, includes = [], []
for f in rtl["files"]:
    if isinstance(f, dict):
        (path, attrs), = f.items()
        assert attrs.get("is_include_file") is True, f
        includes.append(path)
    else:
        files.append(f)
assert includes == ["rtl/taxonn_defs.vh"], includes
listed = [l for l in open(os.path.join(out, "filelist.f")).read().split("\n") if l.startswith("rtl/")]
assert files == listed, "the core's files differ from filelist.f"
for f in files + includes:
    assert os.path.isfile(os.path.join(out, f)), f"{f} is missing"
top = c["targets"]["default"]["toplevel"]
assert any(re.search(rf"^module {re.escape(top)}\b", open(os.path.join(out, f)).read(), re.M) for f in files), top
lint = c["targets"]["lint"]
assert lint["default_tool"] == "verilator" and lint["tools"]["verilator"]["mode"] == "lint-only"
assert lint["toplevel"] == top and lint["filesets"] == ["tool_verilator ? (verilator_waivers)", "rtl"], lint["filesets"]
w = c["filesets"]["verilator_waivers"]
assert w["file_type"] == "vlt" and w["files"] == ["rtl/lint_waivers.vlt"], w
assert open(os.path.join(out, w["files"][0])).read().startswith("`verilator_config"), "the waivers are no vlt file"
print(top)
PY
)
  files=$(python3 -c 'import sys,yaml; print(" ".join(f for f in yaml.safe_load(open(sys.argv[1]))["filesets"]["rtl"]["files"] if isinstance(f, str)))' "$core")
  (cd "$out" && verilator --lint-only -Wall -Irtl rtl/lint_waivers.vlt $files --top-module "$top")
  if [ ${#gate[@]} -gt 0 ] && (cd "$out" && verilator --lint-only -Wall -Irtl $files --top-module "$top" >/dev/null 2>&1); then
    echo "fusesoc_core: $name lints clean without its waivers: the gated design has no latch, or the test lints the wrong top"
    exit 1
  fi
  echo "fusesoc_core: $name: $(basename "$core") valid, top $top lints clean"
done
