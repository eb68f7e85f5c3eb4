# Shared set-up of the shell benchmarks (bench/overlap.sh, bench/hook.sh); sourced, not run.
# Expects ROOT (the project folder) and NAME (for the work folder); sets SPUR, WORK and HOME,
# pins git's configuration, and defines make_repo and file_of.

if [ -z "${SPUR:-}" ]; then
    swift build -c release --scratch-path .build-bench >&2
    SPUR=$ROOT/.build-bench/release/spur
fi
WORK=${BENCH_DIR:-$(mktemp -d "/tmp/spur-bench-$NAME.XXXXXX")}
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$WORK"' EXIT
export GIT_CONFIG_NOSYSTEM=1 HOME=$WORK/home NO_COLOR=1
mkdir -p "$HOME" "$ROOT/bench/results"
git config --global user.name bench; git config --global user.email bench@example.com; git config --global init.defaultBranch main

# make_repo DIR COUNT: COUNT files of 40 lines, 100 per folder (src/mNNNN/fNN.txt), committed.
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

# file_of N: the path make_repo gave file number N.
file_of() { printf 'src/m%04d/f%02d.txt' $(( $1 / 100 )) $(( $1 % 100 )); }
