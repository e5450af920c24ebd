#!/usr/bin/env bash
# The registry benchmark (docs/BENCHMARKS.md): skopeo copy push and pull of a 3-layer image to `cairn serve` and to
# CNCF distribution (Debian's docker-registry) on loopback, in the same run. Needs skopeo and docker-registry.
#
#   bench/registry.sh            5 rounds of a ~300 MiB (tar) image on the repository's file system (~5 min)
#   bench/registry.sh --quick    1 round of a ~30 MiB image: a smoke test
#
# Environment: DISK_DIR (default bench/target/fs) chooses the file system; ROUNDS overrides the rounds;
# SKIP_BUILD=1 skips the build. The result is appended to bench/target/results/registry.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cd "$repo"

rounds=${ROUNDS:-5}
scale=1.0
for a in "$@"; do
  case "$a" in
    --quick) rounds=${ROUNDS:-1}; scale=0.1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "usage: bench/registry.sh [--quick]" >&2; exit 2 ;;
  esac
done
for tool in skopeo docker-registry; do
  command -v "$tool" >/dev/null || { echo "registry.sh: $tool is not installed" >&2; exit 1; }
done

disk_dir=${DISK_DIR:-$repo/bench/target/fs}
out=$repo/bench/target/results
mkdir -p "$out" "$disk_dir"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "building bench and cli (mvn -o -q -B -DskipTests -pl bench,cli -am package) ..." >&2
  mvn -o -q -B -DskipTests -pl bench,cli -am package >&2
fi
touch "$repo/cli/target/.cairn-built"   # the launcher need not build again
cp="$repo/bench/target/classes:$repo/bench/target/lib/*"
java -cp "$cp" dev.cairn.bench.RegistryBenchmark --dir "$disk_dir/cairn-bench" --cairn "$repo/cairn" \
  --label "$disk_dir ($(df -T "$disk_dir" | awk 'NR==2 {print $2}'))" --rounds "$rounds" --scale "$scale" \
  | tee -a "$out/registry.md"
