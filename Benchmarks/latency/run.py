#!/usr/bin/env python3
"""Per-request latency with a large heap live (issue 16): Amber beside Lua 5.4,
Python 3 and Node running the same program.

Each program (request_loop.wren, .lua, .py, .js in this folder) builds N
entries (N two-element lists: a ~106-byte string and a number), then serves
2000 requests; each allocates 500 small lists and strings and stores one of
them into an old entry. The program times every request with its own clock
and prints "requests p50 X p99 Y max Z ms" and a result line that every
language must print alike. Amber runs cold, and restored from an image written
on entry to Main.serve (the build is then in the image, not in the run).

Runs every runtime --runs times, interleaved, and reports the median of each
statistic (with the lowest and highest run beside p99 and max), the peak RSS
(the child's ru_maxrss) and the wall time of the whole process. A runtime
that is not installed is skipped with a note. Exit status 1 if any result
line differs from the expected one (computed here) or a run fails.

    python3 Benchmarks/latency/run.py [--amber [LABEL=].build/release/amber ...] [--entries 1000000] [--runs 3]
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
GC = re.compile(r"amber: \[gc\] #\d+ (young|full): .*?pause ([\d.]+) ms")
REQUESTS = re.compile(r"^requests p50 ([\d.]+) p99 ([\d.]+) max ([\d.]+) ms$", re.M)
RESULT = re.compile(r"^result (.*)$", re.M)


def run(cmd):
    """Runs cmd with stderr merged into stdout (so Amber's -verbose:gc lines fall
    before or after the program's "serving"); returns (output, exit status, peak
    RSS of the child in MB, wall seconds of the whole process)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    return out, os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024, wall


def expected(n, requests=2000):
    """The result line every program must print, computed here: the sum of the
    numbers left in the entries and the sum of the first elements of the lists
    the requests stored (the last store into an entry wins)."""
    stored = {}
    for r in range(requests):
        stored[(r * 7919) % n] = r % 500
    nums = n * (n - 1) // 2 - sum(stored)
    return f"{n} {nums} {sum(stored.values())}"


def version(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (p.stdout + p.stderr).strip().splitlines()[0].split("  Copyright")[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--amber", action="append", metavar="[LABEL=]PATH",
                    help="an amber executable (default .build/release/amber); repeat to compare builds, "
                         "LABEL=PATH names the rows")
    ap.add_argument("--lua", default="lua5.4")
    ap.add_argument("--python", default="python3")
    ap.add_argument("--node", default="node", help="node, or Debian's nodejs (tried when node is missing)")
    ap.add_argument("--entries", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    ambers = []
    for spec in args.amber or [".build/release/amber"]:
        label, _, path = spec.rpartition("=")
        path = os.path.abspath(path)
        if not os.access(path, os.X_OK):
            raise SystemExit(f"no amber executable at {path}")
        ambers.append((f"Amber {label}" if label else "Amber", path))
    n = str(args.entries)
    src = os.path.join(HERE, "request_loop.wren")
    notes, problems = [], []

    node = shutil.which(args.node) or (args.node == "node" and shutil.which("nodejs"))
    peers = [("Lua 5.4", args.lua, [args.lua, "-v"], [args.lua, os.path.join(HERE, "request_loop.lua"), n]),
             ("Python 3", args.python, [args.python, "--version"], [args.python, os.path.join(HERE, "request_loop.py"), n]),
             ("Node", node or args.node, [node or args.node, "--version"], [node or args.node, os.path.join(HERE, "request_loop.js"), n])]

    with tempfile.TemporaryDirectory() as d:
        runtimes = []
        for i, (name, amber) in enumerate(ambers):
            img = os.path.join(d, f"serve{i}.img")
            snap = [amber, f"-snapshot:file={img},trigger=Main.serve,exit", src, n]
            print(f"{name}: writing the image", file=sys.stderr, flush=True)
            out, status, _, _ = run(snap)
            runtimes.append((f"{name} cold", version([amber, "--version"]), [amber, "-verbose:gc", src, n]))
            if status == 0 and os.path.exists(img):
                image_mb = os.path.getsize(img) / 1e6
                runtimes.append((f"{name} restored ({image_mb:.0f} MB image)", "",
                                 [amber, "-verbose:gc", f"-restore:file={img}", n]))
            else:
                problems.append(f"snapshot failed (exit status {status}): {' '.join(snap)}\n{out[-3000:]}")
        for label, exe, vcmd, cmd in peers:
            if exe and shutil.which(exe):
                runtimes.append((label, version(vcmd), cmd))
            else:
                notes.append(f"{label}: `{exe}` not installed, skipped")

        samples = {label: [] for label, _, _ in runtimes}
        for rep in range(args.runs):
            for label, _, cmd in runtimes:
                print(f"run {rep + 1}/{args.runs}: {label}", file=sys.stderr, flush=True)
                out, status, rss, wall = run(cmd)
                req, res = REQUESTS.search(out), RESULT.search(out)
                if status != 0 or not req or not res:
                    problems.append(f"{label} (run {rep + 1}) failed, exit status {status}: {' '.join(cmd)}\n"
                                    f"output (last 3000 characters):\n{out[-3000:]}")
                    continue
                serving = out.split("serving\n", 1)[1] if "serving\n" in out else ""
                samples[label].append({
                    "p50": float(req.group(1)), "p99": float(req.group(2)), "max": float(req.group(3)),
                    "rss": rss, "wall": wall, "result": res.group(1),
                    "gcs": [(m.group(1), float(m.group(2))) for m in GC.finditer(serving)],
                    "clock": [line for line in out.splitlines() if line.startswith("clock:")],
                })

    reference = expected(args.entries)
    for label, runs in samples.items():
        for i, s in enumerate(runs):
            if s["result"] != reference:
                problems.append(f"{label} (run {i + 1}) printed `result {s['result']}`, expected `result {reference}`")
        for c in sorted({line for s in runs for line in s["clock"]}):
            notes.append(f"{label}: {c}")

    def med(runs, key):
        return statistics.median(s[key] for s in runs)

    def spread(runs, key):
        lo, hi = min(s[key] for s in runs), max(s[key] for s in runs)
        return f"{med(runs, key):.2f} ({lo:.2f}–{hi:.2f})" if len(runs) > 1 else f"{med(runs, key):.2f}"

    print(f"{args.entries:,} entries live, 2000 requests of 500 small lists and strings each; "
          f"median of {args.runs} runs (lowest–highest run in brackets)")
    print()
    print("| runtime | p50 (ms) | p99 (ms) | max (ms) | peak RSS (MB) | whole process (s) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, ver, _ in runtimes:
        runs = samples[label]
        if not runs:
            print(f"| {label} | failed | | | | |")
            continue
        print(f"| {label} | {med(runs, 'p50'):.3f} | {spread(runs, 'p99')} | {spread(runs, 'max')} | "
              f"{med(runs, 'rss'):.0f} | {med(runs, 'wall'):.2f} |")
    print()
    amber_rows = [(label, samples[label]) for label, _, _ in runtimes if label.startswith("Amber") and samples[label]]
    if amber_rows:
        print("Amber's collections while serving (-verbose:gc, median of the runs):")
        print()
        print("| run | young | full | longest pause (ms) |")
        print("| --- | ---: | ---: | ---: |")
        for label, runs in amber_rows:
            young = statistics.median(sum(1 for k, _ in s["gcs"] if k == "young") for s in runs)
            full = statistics.median(sum(1 for k, _ in s["gcs"] if k == "full") for s in runs)
            longest = statistics.median(max((ms for _, ms in s["gcs"]), default=0) for s in runs)
            print(f"| {label} | {young:g} | {full:g} | {longest:.1f} |")
        print()
    print("Versions: " + "; ".join(f"{label.removesuffix(' cold')}: {ver}" for label, ver, _ in runtimes if ver))
    wrong = any("expected `result" in p for p in problems)
    print(f"Result lines: {'WRONG in some runs (see below)' if wrong else 'every run printed the expected'} `result {reference}`")
    for note in notes:
        print(f"Note: {note}")
    for p in problems:
        print(f"\nPROBLEM: {p}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
