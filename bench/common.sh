# Sourced by bench/run.sh and bench/whole-process.sh: their one argument (--quick), the two file systems and the
# build. Sets repo, quick, shm_dir, disk_dir, out and cp; `bench_usage` is the script's one-line usage.
here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cd "$repo"

quick=0
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[1]}" | sed '$d'; exit 0 ;;
    *) echo "usage: $bench_usage" >&2; exit 2 ;;
  esac
done

shm_dir=${SHM_DIR:-/dev/shm}
disk_dir=${DISK_DIR:-$repo/bench/target/fs}
out=$repo/bench/target/results
mkdir -p "$out" "$disk_dir"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "building bench (mvn -o -q -B -DskipTests -pl bench -am package) ..." >&2
  mvn -o -q -B -DskipTests -pl bench -am package >&2
fi
cp="$repo/bench/target/classes:$repo/bench/target/lib/*"
