#!/usr/bin/env bash
# Benchmark for overlap detection (not a test). Measures, on a 100-file and a 100k-file
# repository with 5 lanes:
#   - `spur check PATH` (must cost the same on both sizes),
#   - `spur status` over 5 live lanes (read from their change journals; and scanned, with
#     SPUR_JOURNAL=off) and over 5 finished lanes (results recorded), against `git status`.
#
# Usage: bench/overlap.sh [FILE_COUNT...]        (default: 100 100000)
#   SPUR=/path/to/spur   use this executable (default: builds a release into .build-bench)
#   RUNS=N               timed runs per command (default 7; the median is reported)
#   BENCH_DIR=DIR        where the repositories go (default: a temporary folder, removed after)
# Results are printed and written to bench/results/overlap-<date>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-7}
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(100 100000)

NAME=overlap
source "$ROOT/bench/lib.sh"
OUT=bench/results/overlap-$(date +%Y%m%d-%H%M%S).txt

# measure CMD...: runs CMD $RUNS times (after one warm-up); prints the median wall time and the
# median CPU time (user + system, which a loaded machine disturbs less), both in ms.
measure() {
    "$@" >/dev/null 2>&1 || true
    local walls=() cpus=() line
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %U %S" -o "$WORK/time" "$@" >/dev/null 2>&1 || true
        line=$(tail -1 "$WORK/time")
        walls+=($(echo "$line" | awk '{printf "%d", $1 * 1000}'))
        cpus+=($(echo "$line" | awk '{printf "%d", ($2 + $3) * 1000}'))
    done
    printf '%10s %10s' "$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
        "$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
}
row() { local count=$1 label=$2; shift 2; printf '%-8s %-34s %s\n' "$count" "$label" "$(measure "$@")"; }

# The lanes' edits: lane k changes 10 files; lanes 1 and 2 share one; you change 10 files, 2 of them the lanes'.
edit() { sed -i "$2s/.*/$3/" "$1"; }

{
printf '%-8s %-34s %10s %10s\n' files measurement "wall ms" "cpu ms"
for count in "${SIZES[@]}"; do
    repo=$WORK/repo-$count
    make_repo "$repo" "$count" >&2
    cd "$repo"
    step=$(( count / 60 > 0 ? count / 60 : 1 ))
    declare -A lanes=()
    for k in 1 2 3 4 5; do
        lanes[$k]=$("$SPUR" spawn "lane$k" --no-run | tail -1)
        for j in $(seq 0 9); do
            n=$(( (k * 10 + j) * step % count ))
            edit "${lanes[$k]}/$(file_of "$n")" 5 "lane $k"
        done
    done
    edit "${lanes[2]}/$(file_of $(( 10 * step % count )))" 30 "lane 2 too"
    for j in $(seq 0 9); do edit "$(file_of $(( (j * 7 + 3) * step % count )))" 20 "yours"; done
    edit "$(file_of $(( 10 * step % count )))" 5 "yours"
    unchanged=$(file_of $(( count - 1 )))
    changed=$(file_of $(( 10 * step % count )))
    row "$count" "spur check (path no lane changed)" "$SPUR" check "$unchanged"
    row "$count" "spur check (path a lane changed)" "$SPUR" check "$changed"
    row "$count" "git status" git status --porcelain
    row "$count" "spur status (5 live lanes)" "$SPUR" status
    row "$count" "spur status (5 live, scanned)" env SPUR_JOURNAL=off "$SPUR" status
    for k in 1 2 3 4 5; do "$SPUR" finish "lane$k" >/dev/null; done
    row "$count" "spur status (5 finished lanes)" "$SPUR" status
    row "$count" "spur check (finished lanes)" "$SPUR" check "$changed"
    "$SPUR" status | sed 's/^/# /' | head -20
    unset lanes
done
} | tee "$OUT"
echo "results: $OUT" >&2
