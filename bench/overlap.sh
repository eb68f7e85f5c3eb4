#!/usr/bin/env bash
# Benchmark for overlap detection (not a test). Measures, on a 100-file and a 100k-file
# repository with 5 lanes:
#   - `spur check PATH` (must cost the same on both sizes),
#   - `spur status` over 5 live lanes (tasks still running: worktrees scanned) and over 5
#     finished lanes (results recorded), against `git status` on the same working tree.
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

if [ -z "${SPUR:-}" ]; then
    swift build -c release --scratch-path .build-bench >&2
    SPUR=$ROOT/.build-bench/release/spur
fi
WORK=${BENCH_DIR:-$(mktemp -d /tmp/spur-bench.XXXXXX)}
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$WORK"' EXIT
export GIT_CONFIG_NOSYSTEM=1 HOME=$WORK/home NO_COLOR=1
mkdir -p "$HOME" bench/results
git config --global user.name bench; git config --global user.email bench@example.com; git config --global init.defaultBranch main
OUT=bench/results/overlap-$(date +%Y%m%d-%H%M%S).txt

# median_ms CMD...: runs CMD $RUNS times (after one warm-up) and prints the median wall time in ms.
median_ms() {
    "$@" >/dev/null 2>&1 || true
    local times=() start end
    for _ in $(seq "$RUNS"); do
        start=$(date +%s%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s%N)
        times+=($(( (end - start) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

# make_repo DIR COUNT: COUNT files, 100 per folder, committed.
make_repo() {
    mkdir -p "$1" && cd "$1" && git init -q
    python3 - "$2" <<'PY'
import os, sys
count = int(sys.argv[1])
for i in range(count):
    folder = f"src/m{i // 100:04d}"
    os.makedirs(folder, exist_ok=True)
    with open(f"{folder}/f{i % 100:02d}.txt", "w") as f:
        f.write("".join(f"line {n} of file {i}\n" for n in range(1, 41)))
PY
    git add -A && git commit -qm base
}

# The lanes' edits: lane k changes 10 files; lanes 1 and 2 share one; you change 10 files, 2 of them the lanes'.
file_of() { printf 'src/m%04d/f%02d.txt' $(( $1 / 100 )) $(( $1 % 100 )); }
edit() { sed -i "$2s/.*/$3/" "$1"; }

finish_lane() { # commits the lane's worktree and records it as done, as the supervisor does
    local name=$1 wt=$2
    git -C "$wt" add -A && git -C "$wt" commit -qm result
    python3 - "$(git rev-parse --git-common-dir)/spur/lanes/$name.json" "$(git -C "$wt" rev-parse HEAD)" \
        "$(git diff --name-only "$(git -C "$wt" rev-parse HEAD~1)" "$(git -C "$wt" rev-parse HEAD)" | paste -sd,)" <<'PY'
import json, sys
path, head, files = sys.argv[1], sys.argv[2], sys.argv[3]
lane = json.load(open(path))
lane.update(state="done", head=head, changedFiles=[f for f in files.split(",") if f])
json.dump(lane, open(path, "w"), indent=2, sort_keys=True)
PY
}

{
printf '%-8s %-34s %10s\n' files measurement "median ms"
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
    printf '%-8s %-34s %10s\n' "$count" "spur check (path no lane changed)" "$(median_ms "$SPUR" check "$unchanged")"
    printf '%-8s %-34s %10s\n' "$count" "spur check (path a lane changed)" "$(median_ms "$SPUR" check "$changed")"
    printf '%-8s %-34s %10s\n' "$count" "git status" "$(median_ms git status --porcelain)"
    printf '%-8s %-34s %10s\n' "$count" "spur status (5 live lanes)" "$(median_ms "$SPUR" status)"
    for k in 1 2 3 4 5; do finish_lane "lane$k" "${lanes[$k]}"; done
    printf '%-8s %-34s %10s\n' "$count" "spur status (5 finished lanes)" "$(median_ms "$SPUR" status)"
    printf '%-8s %-34s %10s\n' "$count" "spur check (finished lanes)" "$(median_ms "$SPUR" check "$changed")"
    "$SPUR" status | sed 's/^/# /' | head -20
    unset lanes
done
} | tee "$OUT"
echo "results: $OUT" >&2
