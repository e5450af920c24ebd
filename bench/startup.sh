#!/usr/bin/env bash
# Start-up of the short `cairn` commands (issue 13), whole processes timed with hyperfine: `layers` on a one-layer
# store, `--help` and `--version`, beside `java -version` (the floor of any JVM command), and beside the same
# commands of another build when one is named, all in one hyperfine call so that the machine's load is shared.
# docs/BENCHMARKS.md, "Start-up, fourth pass".
#
#   bench/startup.sh                one hyperfine call: this checkout's commands and java -version
#   bench/startup.sh BASE           the same commands of BASE/cairn too (BASE: another checkout, or a copy of one's
#                                   cairn, pom.xml and cli/target/{cairn-cli.jar,lib,*.args,.cairn-built}), paired
#
# Environment: RUNS (default 21), WARMUP (default 3), SHM_DIR (default /dev/shm: the store is made there). Needs
# hyperfine and python3. Writes bench/target/results/startup.md and startup.json; prints the table and the load.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case ${1:-} in -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d'; exit 0 ;; esac
base=${1:-}
[[ $# -le 1 ]] || { echo "usage: bench/startup.sh [BASE]" >&2; exit 2; }
[[ -z $base || -x $base/cairn ]] || { echo "startup.sh: no launcher $base/cairn" >&2; exit 1; }
for tool in hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "startup.sh: needs $tool" >&2; exit 1; }
done
out=$repo/bench/target/results
mkdir -p "$out"
work=$(mktemp -d "${SHM_DIR:-/dev/shm}/cairn-startup.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

# The store: one layer of a 100 kB file, imported (its close writes the snapshot a read-only open answers from).
head -c 100000 /dev/urandom >"$work/file"
tar -cf "$work/layer.tar" -C "$work" file
# Builds if needed and makes the class-data archive, so that no timed run pays for either.
"$repo/cairn" --root "$work/store" import "$work/layer.tar" >/dev/null
if [[ -n $base ]]; then "$base/cairn" --version >/dev/null; fi

commands=()
for args in "--root $work/store layers" "--help" "--version"; do
  if [[ -n $base ]]; then commands+=("$base/cairn $args"); fi
  commands+=("$repo/cairn $args")
done
commands+=("java -version")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
hyperfine -N --style basic -w "${WARMUP:-3}" -r "${RUNS:-21}" --export-json "$out/startup.json" "${commands[@]}" >&2
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$out/startup.json" "$repo" "${base:-}" "$work" "$load_before" "$load_after" <<'EOF' | tee "$out/startup.md"
import json, statistics, sys
path, repo, base, work, before, after = sys.argv[1:]
results = json.load(open(path))["results"]
print(f"load average (1, 5, 15 min) before: {before}; after: {after}")
print()
print("| command | median s | min s | max s | user s | sys s | ratio (median; user + sys) |")
print("|---|---:|---:|---:|---:|---:|---|")
medians = {r["command"]: statistics.median(r["times"]) for r in results}
cpu = {r["command"]: r["user"] + r["system"] for r in results}
for r in results:
    c = r["command"]
    name = c.replace(work + "/", "").replace(repo + "/", "./")
    if base:
        name = name.replace(base + "/cairn", "BASE/cairn")
    ratio = ""
    if base and c.startswith(repo + "/cairn"):
        peer = c.replace(repo + "/cairn", base + "/cairn", 1)
        ratio = f"{medians[c] / medians[peer]:.2f}× BASE; {cpu[c] / cpu[peer]:.2f}×"
    t = r["times"]
    print(f"| {name} | {medians[c]:.3f} | {min(t):.3f} | {max(t):.3f} | {r['user']:.3f} | {r['system']:.3f} | {ratio} |")
EOF
