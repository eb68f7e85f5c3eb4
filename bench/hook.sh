#!/usr/bin/env bash
# Benchmark for `spur hook claude` (not a test): the hook runs before every edit, so its cost
# must not grow with the repository. On a 100-file and a 100k-file repository with 3 lanes
# (each changed 10 files; one of them is a file you are about to edit) it reports the median
# wall time of the hook answering:
#   - PreToolUse Edit of a file a lane changed (the answer is a decision),
#   - PreToolUse Edit of a file no lane changed (silent),
#   - PreToolUse Write from inside a lane's worktree to the main working tree (refused),
#   - UserPromptSubmit with no news,
# beside `spur check` on the same path and `git status` as the yardstick.
#
# Usage: bench/hook.sh [FILE_COUNT...]          (default: 100 100000)
#   SPUR=/path/to/spur   use this executable (default: builds a release into .build-bench)
#   RUNS=N               timed runs per command (default 11; the median is reported)
#   BENCH_DIR=DIR        where the repositories go (default: a temporary folder, removed after)
# Results are printed and written to bench/results/hook-<date>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-11}
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(100 100000)

NAME=hook
source "$ROOT/bench/lib.sh"
OUT=bench/results/hook-$(date +%Y%m%d-%H%M%S).txt

# median_ms INPUT CMD...: runs CMD with INPUT on standard input $RUNS times (after one
# warm-up) and prints the median wall time in ms.
median_ms() {
    local input=$1; shift
    "$@" <"$input" >/dev/null 2>&1 || true
    local times=() start end
    for _ in $(seq "$RUNS"); do
        start=$(date +%s%N); "$@" <"$input" >/dev/null 2>&1 || true; end=$(date +%s%N)
        times+=($(( (end - start) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

payload() { # EVENT CWD FILE
    printf '{"session_id":"bench","transcript_path":"/dev/null","cwd":"%s","permission_mode":"default","hook_event_name":"%s","tool_name":"%s","tool_input":{"file_path":"%s","old_string":"line 3","new_string":"line three"},"prompt":"go on"}' \
        "$2" "$1" "$([ "$1" = PreToolUse ] && echo Edit || echo "")" "$3"
}

{
printf '%-8s %-44s %10s\n' files measurement "median ms"
for count in "${SIZES[@]}"; do
    repo=$WORK/repo-$count
    make_repo "$repo" "$count" >&2
    cd "$repo"
    step=$(( count / 40 > 0 ? count / 40 : 1 ))
    lane1=
    for k in 1 2 3; do
        wt=$("$SPUR" spawn "lane$k" --no-run | tail -1)
        [ -n "$lane1" ] || lane1=$wt
        for j in $(seq 0 9); do sed -i "5s/.*/lane $k/" "$wt/$(file_of $(( (k * 10 + j) * step % count )))"; done
    done
    changed=$repo/$(file_of $(( 10 * step % count )))
    unchanged=$repo/$(file_of $(( count - 1 )))
    payload PreToolUse "$repo" "$changed" >"$WORK/overlap.json"
    payload PreToolUse "$repo" "$unchanged" >"$WORK/quiet.json"
    payload PreToolUse "$lane1" "$unchanged" >"$WORK/escape.json"
    payload UserPromptSubmit "$repo" "" >"$WORK/prompt.json"
    "$SPUR" hook claude <"$WORK/overlap.json" | sed 's/^/# /' >&2
    sync  # the new worktrees' files are written back before anything is timed
    printf '%-8s %-44s %10s\n' "$count" "hook PreToolUse, a file a lane changed" "$(median_ms "$WORK/overlap.json" "$SPUR" hook claude)"
    printf '%-8s %-44s %10s\n' "$count" "hook PreToolUse, a file no lane changed" "$(median_ms "$WORK/quiet.json" "$SPUR" hook claude)"
    printf '%-8s %-44s %10s\n' "$count" "hook PreToolUse, a lane writing outside" "$(median_ms "$WORK/escape.json" "$SPUR" hook claude)"
    printf '%-8s %-44s %10s\n' "$count" "hook UserPromptSubmit, no news" "$(median_ms "$WORK/prompt.json" "$SPUR" hook claude)"
    printf '%-8s %-44s %10s\n' "$count" "spur check (the same file a lane changed)" "$(median_ms /dev/null "$SPUR" check "$changed")"
    printf '%-8s %-44s %10s\n' "$count" "git status" "$(median_ms /dev/null git status --porcelain)"
done
} | tee "$OUT"
echo "results: $OUT" >&2
