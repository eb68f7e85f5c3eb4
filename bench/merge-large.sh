#!/bin/sh
# Times `spur merge` and `spur undo` on a repository with FILES files where a lane changed
# CHANGED of them and you edited some of the same files (other lines) and some others.
# Usage: bench/merge-large.sh [SPUR] [FILES] [CHANGED]     (needs git and python3)
set -eu
SPUR=${1:-$(pwd)/.build/debug/spur}
FILES=${2:-20000}
CHANGED=${3:-50}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
cd "$DIR"
git init -q -b main . && git config user.name Bench && git config user.email bench@example.com
python3 - "$FILES" <<'PY'
import os, sys
n = int(sys.argv[1])
for i in range(n):
    d = "src/d%03d" % (i % 200)
    os.makedirs(d, exist_ok=True)
    with open("%s/f%05d.txt" % (d, i), "w") as f:
        f.write("".join("file %d line %d\n" % (i, j) for j in range(20)))
PY
git add -A && git commit -qm base
WORKTREE=$("$SPUR" spawn task --no-run | tail -n 1)
python3 - "$WORKTREE" "$FILES" "$CHANGED" <<'PY'
import sys
worktree, n, changed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for k in range(changed):
    i = k * (n // changed)
    path = "%s/src/d%03d/f%05d.txt" % (worktree, i % 200, i)
    lines = open(path).read().splitlines(True)
    lines[18] = "changed by the task\n"
    open(path, "w").write("".join(lines))
PY
git -C "$WORKTREE" add -A && git -C "$WORKTREE" commit -qm task
python3 - "$(git -C "$WORKTREE" rev-parse HEAD)" <<'PY'
import json, sys
path = ".git/spur/lanes/task.json"
lane = json.load(open(path)); lane["head"] = sys.argv[1]; lane["state"] = "done"
json.dump(lane, open(path, "w"))
PY
python3 - "$FILES" "$CHANGED" <<'PY'
import sys
n, changed = int(sys.argv[1]), int(sys.argv[2])
for i in [k * (n // changed) for k in range(0, changed, 5)] + list(range(1, 40, 4)):
    path = "src/d%03d/f%05d.txt" % (i % 200, i)
    lines = open(path).read().splitlines(True)
    lines[1] = "edited by you\n"
    open(path, "w").write("".join(lines))
PY
git status --short > /dev/null   # refresh the index stat cache, as a user's git status would
now() { python3 -c 'import time; print(time.time())'; }
start=$(now); "$SPUR" merge task --dry-run > /dev/null; dry=$(now)
"$SPUR" merge task > /dev/null; merged=$(now)
"$SPUR" undo > /dev/null; undone=$(now)
git status --short > /dev/null; snap=$(now); "$SPUR" merge task --dry-run >/dev/null; snapdone=$(now)
python3 - "$start" "$dry" "$merged" "$undone" "$FILES" "$CHANGED" <<'PY'
import sys
s, d, m, u = map(float, sys.argv[1:5])
print("files=%s changed=%s  merge --dry-run %.0f ms  merge %.0f ms  undo %.0f ms" % (sys.argv[5], sys.argv[6], (d-s)*1000, (m-d)*1000, (u-m)*1000))
PY
