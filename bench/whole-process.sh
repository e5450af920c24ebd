#!/usr/bin/env bash
# Whole `cairn` commands, timed as processes with hyperfine, beside GNU tar and containers/storage (through
# skopeo) measured in the same hyperfine call, on tmpfs and on the disk's file system. docs/BENCHMARKS.md.
#
#   bench/whole-process.sh            the ~206 MiB, 7,000-file generated layer; 5 runs of each command (~15 min)
#   bench/whole-process.sh --quick    an 8 MiB, 300-file layer, 3 runs: a smoke test (~3 min)
#
# Rows, on each file system: `cairn import` of the layer as plain tar, gzip (ISA-L, and the JDK's zlib by
# CAIRN_GZIP=jdk) and zstd beside `tar -xf`,
# `tar -xf && sync -f` (tar made durable), `tar -xzf`, `tar --zstd -xf` and `skopeo copy oci:... containers-storage:
# [vfs@ROOT+RUNROOT]...` of a one-layer OCI image of it (and containers/storage's own CLI, `import-layer`, where
# CONTAINERS_STORAGE names its binary); a ~10 KiB import into a fresh store; `layers` on a one-layer store and
# `--help` (beside `java -version`, the floor of any JVM command); `diff -o` beside `tar -cf` of the extracted
# tree; `checkout` beside `tar -xf`. Every run starts from a fresh output folder after a `sync` (not timed).
# Change no source while it runs: ./cairn would rebuild itself inside a timed run.
#
# Environment: SHM_DIR (default /dev/shm) and DISK_DIR (default bench/target/fs); RUNS; SKIP_BUILD=1;
# CONTAINERS_STORAGE (path to a containers-storage binary); SKIP_SKOPEO=1. Needs hyperfine (Debian: hyperfine).
# Writes bench/target/results/whole-process.md and the hyperfine JSON beside it. Paths must hold no spaces.
set -euo pipefail

bench_usage="bench/whole-process.sh [--quick]"
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [[ $quick == 1 ]]; then mb=8; files=300; runs=${RUNS:-3}; else mb=200; files=7000; runs=${RUNS:-5}; fi

command -v hyperfine >/dev/null || { echo "whole-process.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
skopeo=1
if [[ ${SKIP_SKOPEO:-0} == 1 ]] || ! command -v skopeo >/dev/null; then skopeo=0; fi

for d in "$shm_dir" "$disk_dir" "$repo"; do
  [[ $d != *" "* ]] || { echo "whole-process.sh: '$d' holds a space" >&2; exit 1; }
done

cairn="$repo/cairn"
# Builds the command line if needed and makes its class-data archive, so that no timed run pays for either.
"$cairn" --version >/dev/null

results="$out/whole-process.md"
{
  echo "## Whole-process commands ($( [[ $quick == 1 ]] && echo quick || echo full ) run, $(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1), GNU $(tar --version | head -1)," \
       "$(hyperfine --version)$( [[ $skopeo == 1 ]] && echo ", $(skopeo --version)"); load average before:" \
       "$(cut -d' ' -f1-3 /proc/loadavg). Wall times of whole processes, $runs runs after 1 warm-up."
  echo
} | tee "$results"

# hyperfine with no shell between it and the command (-N, so a shell's start is not timed); the preparation, run
# before each timed run and not timed, is a shell line.
bench() {
  local json=$1 prepare=$2
  shift 2
  hyperfine -N --style basic --runs "$runs" --warmup 1 --export-json "$json" --prepare "sh -c '$prepare'" "$@" >&2
}

groups=()
for dir in "$shm_dir" "$disk_dir"; do
  fs=$(df -T "$dir" | awk 'NR==2 {print $2}')
  tag=$(basename "$dir")
  w="$dir/cairn-whole-process"
  s="$w/scratch"
  rm -rf "$w"
  mkdir -p "$w"
  echo "generating (or reusing) the inputs under $dir/cairn-bench/cairn-bench-cache ..." >&2
  eval "$(java -cp "$cp" dev.cairn.bench.WholeProcessInputs --cache "$dir/cairn-bench/cairn-bench-cache" \
    --mb "$mb" --files "$files")"
  fresh="rm -rf $s; mkdir -p $s/out; sync"
  cs_to() { echo "skopeo copy --quiet --insecure-policy oci:$1:bench containers-storage:[vfs@$s/cs+$s/csrun]bench:latest"; }
  peers_cs=""
  [[ $skopeo == 1 ]] && peers_cs="|skopeo copy (vfs)"

  for format in plain gzip zstd; do
    case $format in
      plain) input=$PLAIN; oci=$OCI_PLAIN; tar_name="tar -xf"; tar_cmd="tar -xf $PLAIN -C $s/out" ;;
      gzip) input=$GZIP; oci=$OCI_GZIP; tar_name="tar -xzf"; tar_cmd="tar -xzf $GZIP -C $s/out" ;;
      zstd) input=$ZSTD; oci=$OCI_ZSTD; tar_name="tar --zstd -xf"; tar_cmd="tar --zstd -xf $ZSTD -C $s/out" ;;
    esac
    args=(-n "$tar_name" "$tar_cmd")
    peers="$tar_name"
    if [[ $format == plain ]]; then
      args+=(-n "tar -xf && sync -f" "sh -c 'tar -xf $PLAIN -C $s/out && sync -f $s/out'")
      peers+="|tar -xf && sync -f"
    fi
    args+=(-n "cairn import ($format)" "$cairn --root $s/store import $input")
    # A/B of the gzip inflater: the same import with the JDK's zlib in place of ISA-L (docs/STORE.md).
    [[ $format == gzip ]] && args+=(-n "cairn import (gzip, CAIRN_GZIP=jdk)" \
      "env CAIRN_GZIP=jdk $cairn --root $s/store import $input")
    [[ $skopeo == 1 ]] && args+=(-n "skopeo copy (vfs)" "$(cs_to "$oci")")
    if [[ -n ${CONTAINERS_STORAGE:-} ]]; then
      args+=(-n "containers-storage import-layer" \
        "$CONTAINERS_STORAGE --storage-driver vfs --root $s/cs --runroot $s/csrun import-layer $input")
      peers+="|containers-storage import-layer"
    fi
    echo "[$tag] import $format ..." >&2
    bench "$out/whole-$tag-import-$format.json" "$fresh" "${args[@]}"
    groups+=("$out/whole-$tag-import-$format.json=$peers$peers_cs")
  done

  echo "[$tag] small import, layers, --help ..." >&2
  bench "$out/whole-$tag-small.json" "$fresh" \
    -n "tar -xf (10 KiB)" "tar -xf $SMALL -C $s/out" \
    -n "cairn import (10 KiB, fresh store)" "$cairn --root $s/store import $SMALL"
  "$cairn" --root "$w/one" import "$SMALL" >/dev/null
  bench "$out/whole-$tag-start.json" "true" \
    -n "java -version" "java -version" \
    -n "cairn layers (one layer)" "$cairn --root $w/one layers" \
    -n "cairn --help" "$cairn --help"

  echo "[$tag] diff -o, checkout ..." >&2
  id=$("$cairn" --root "$w/big" import "$PLAIN")
  mkdir -p "$w/tree"
  tar -xf "$PLAIN" -C "$w/tree"
  bench "$out/whole-$tag-diff.json" "rm -f $w/out.tar; sync" \
    -n "tar -cf" "tar -cf $w/out.tar -C $w/tree ." \
    -n "cairn diff -o" "$cairn --root $w/big diff $id -o $w/out.tar"
  bench "$out/whole-$tag-checkout.json" "$fresh" \
    -n "tar -xf (same layer)" "tar -xf $PLAIN -C $s/out" \
    -n "cairn checkout" "$cairn --root $w/big checkout $id $s/out/c"

  {
    echo "### $tag ($fs): $LAYER_FILES files, $LAYER_MIB MiB tar, $GZIP_MIB MiB gzip, $ZSTD_MIB MiB zstd"
    echo
    java -cp "$cp" dev.cairn.bench.HyperfineTable "${groups[@]}" \
      "$out/whole-$tag-small.json=tar -xf (10 KiB)" "$out/whole-$tag-start.json=java -version" \
      "$out/whole-$tag-diff.json=tar -cf" "$out/whole-$tag-checkout.json=tar -xf (same layer)"
    echo
  } | tee -a "$results"
  groups=()
  rm -rf "$w"
done

echo "results: $results" >&2
