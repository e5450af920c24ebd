#!/usr/bin/env bash
# Builds the bench module and runs every Cairn benchmark, printing Markdown tables (docs/BENCHMARKS.md).
#
#   bench/run.sh            full run: journal appends (JMH), 200 MiB / 7,000-file import on tmpfs and on the
#                           repository's file system, apply alone, readers during an import, then the whole
#                           `cairn` commands of bench/whole-process.sh (~35 min)
#   bench/run.sh --quick    tiny sizes and short iterations (a few minutes): a smoke test CI can run
#
# Environment: SHM_DIR (default /dev/shm) and DISK_DIR (default bench/target/fs, i.e. the file system holding
# the repository) choose the two file systems; ROUNDS overrides the import rounds; SKIP_BUILD=1 skips the build.
# Results also go to bench/target/results/ (results.md, jmh.json, logs).
set -euo pipefail

bench_usage="bench/run.sh [--quick]"
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# One source of truth for the JVM flags Chronicle needs: the root pom's <chronicle.jvm.args>.
jvm_args=$(sed -n 's:.*<chronicle.jvm.args>\(.*\)</chronicle.jvm.args>.*:\1:p' "$repo/pom.xml")
if [[ -z "$jvm_args" ]]; then
  echo "run.sh: <chronicle.jvm.args> not found in $repo/pom.xml" >&2
  exit 1
fi

if [[ $quick == 1 ]]; then
  jmh_opts=(-wi 1 -i 2 -w 1s -r 1s -f 1)
  import_opts=(--mb 8 --files 300 --rounds ${ROUNDS:-3})
else
  jmh_opts=(-wi 2 -i 3 -w 2s -r 2s -f 1)
  import_opts=(--mb 200 --files 7000 --rounds ${ROUNDS:-5})
fi

fs_of() { df -T "$1" | awk 'NR==2 {print $2 " on " $1}'; }

{
  echo "## Cairn benchmarks ($( [[ $quick == 1 ]] && echo quick || echo full ) run, $(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1), " \
       "$shm_dir: $(fs_of "$shm_dir"), $disk_dir: $(fs_of "$disk_dir")."
  echo
} | tee "$out/results.md"

# 1. Journal appends (JMH). target=memory is the in-run peer.
echo "running JournalAppendBenchmark ..." >&2
java $jvm_args -cp "$cp" org.openjdk.jmh.Main 'dev.cairn.bench.JournalAppendBenchmark' \
  "${jmh_opts[@]}" -jvmArgsAppend "$jvm_args" -p "target=memory,$shm_dir,$disk_dir" \
  -rf json -rff "$out/jmh.json" > "$out/jmh.log" 2>&1 || { tail -40 "$out/jmh.log" >&2; exit 1; }
{
  echo "### Durable journal appends (ChronicleJournal, group commit) vs InMemoryJournal"
  echo
  java -cp "$cp" dev.cairn.bench.JmhTable "$out/jmh.json" "tmpfs=$shm_dir" "ext4=$disk_dir"
  echo
} | tee -a "$out/results.md"

# 2. Import, apply alone, readers: on tmpfs and on the disk file system.
for dir in "$shm_dir" "$disk_dir"; do
  echo "running ImportBenchmark on $dir ..." >&2
  java $jvm_args -cp "$cp" dev.cairn.bench.ImportBenchmark --dir "$dir/cairn-bench" \
    --label "$dir" "${import_opts[@]}" 2> "$out/import-$(basename "$dir").log" \
    | tee -a "$out/results.md"
done

# 3. Whole `cairn` commands as processes, beside GNU tar and containers/storage (hyperfine).
if command -v hyperfine >/dev/null; then
  SKIP_BUILD=1 "$here/whole-process.sh" $( [[ $quick == 1 ]] && echo --quick ) 2> "$out/whole-process.log"
  cat "$out/whole-process.md" >> "$out/results.md"
else
  echo "run.sh: hyperfine is not installed (apt-get install hyperfine): whole-process benchmark skipped" >&2
fi

echo "results: $out/results.md" >&2
