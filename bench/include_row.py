"""The spawn-include row of bench/run.py: `spur spawn --no-run` of a repository with few tracked
files and an ignored node_modules of N small files (nested, some links) that `.worktreeinclude`
names, beside `cp -a --reflink=auto` of the same folder, alternating."""
import os
import sys

PACKAGES_FILES = 20      # files per package folder


def make_include_repository(runner, repo, n):
    """10 tracked files; node_modules/ (ignored) with n files: pkgNNNN/{lib,dist/esm}/..., every
    tenth package with a .bin link."""
    os.makedirs(repo)
    runner.git(repo, "init", "-q")
    with open(os.path.join(repo, ".gitignore"), "w") as f:
        f.write("node_modules/\n")
    with open(os.path.join(repo, ".worktreeinclude"), "w") as f:
        f.write("node_modules/\n")
    for i in range(10):
        with open(os.path.join(repo, "src%d.js" % i), "w") as f:
            f.write("export const value%d = %d;\n" % (i, i))
    runner.git(repo, "add", "-A")
    runner.git(repo, "commit", "-qm", "project")
    made, package = 0, 0
    while made < n:
        folder = os.path.join(repo, "node_modules", "pkg%04d" % package)
        for sub in ("lib", os.path.join("dist", "esm")):
            os.makedirs(os.path.join(folder, sub), exist_ok=True)
        for k in range(PACKAGES_FILES):
            if made >= n:
                break
            if package % 10 == 0 and k == 0:
                os.makedirs(os.path.join(folder, ".bin"), exist_ok=True)
                os.symlink("../lib/f0.js", os.path.join(folder, ".bin", "run"))
            else:
                sub = "lib" if k % 2 == 0 else os.path.join("dist", "esm")
                with open(os.path.join(folder, sub, "f%d.js" % k), "w") as f:
                    f.write(("// package %d file %d\n" % (package, k)) * (1 + k % 8))
            made += 1
        package += 1


def spawn_include_row(bench, n, runs):
    Measure = sys.modules["__main__"].Measure  # run.py is the entry point
    r = bench.runner
    repo = os.path.join(bench.work, "include%d" % n, "repo")
    bench.log("== spawn-include: %d ignored files" % n)
    make_include_repository(r, repo, n)
    os.sync()
    count = {"spur": 0, "cp": 0}

    def spur_spawn():
        count["spur"] += 1
        m = Measure()
        m.add(r.run(bench.spur_cmd("spawn", "inc%d" % count["spur"], "--no-run"), repo))
        return m

    def cp_copy():
        count["cp"] += 1
        # Beside spur's worktrees (ext4 places a new folder's files by where the folder is).
        target = os.path.join(repo, ".git", "spur", "worktrees", "cp-%d" % count["cp"])
        os.makedirs(target)
        m = Measure()
        m.add(r.run(["cp", "-a", "--reflink=auto", os.path.join(repo, "node_modules"), target], repo))
        return m

    load = os.getloadavg()
    s, g = bench.alternate(runs, spur_spawn, cp_copy)
    bench.record(n, "spawn-include", "spur spawn --no-run (node_modules/ in .worktreeinclude)",
                 "cp -a --reflink=auto node_modules", s, g, "spawn-include",
                 "load average %.2f/%.2f/%.2f when the row began" % load)
