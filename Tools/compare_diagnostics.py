#!/usr/bin/env python3
"""Runs every test of Wren's official suite under Wren's reference VM and under
Amber, and compares stdout, stderr and exit status byte for byte.

    Tools/compare_diagnostics.py --wren PATH/TO/wren_test --amber .build/release/amber \
        --tests PATH/TO/wren/test [--show N] [--list FILE]

Both VMs run from the directory above the tests (as Wren's own runner does), so
the module names in messages ("./test/...") are the same. Prints the number of
identical files, then the first differences (unified diffs of the streams).
"""
import argparse, difflib, glob, os, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

SUITES = ["language", "core", "limit", "meta", "random", "regression"]


def run(vm, rel, cwd, timeout):
    try:
        p = subprocess.run([vm, rel], cwd=cwd, capture_output=True, timeout=timeout)
        return (p.returncode, p.stdout, p.stderr)
    except subprocess.TimeoutExpired:
        return ("timeout", b"", b"")


def describe(rel, wren, amber):
    lines = [f"--- {rel}"]
    if wren[0] != amber[0]:
        lines.append(f"exit status: wren {wren[0]}, amber {amber[0]}")
    for name, i in (("stdout", 1), ("stderr", 2)):
        if wren[i] != amber[i]:
            w = wren[i].decode("utf-8", "replace").splitlines()
            a = amber[i].decode("utf-8", "replace").splitlines()
            diff = list(difflib.unified_diff(w, a, f"wren {name}", f"amber {name}", lineterm="", n=1))
            lines.extend(diff[:40])
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wren", required=True, help="Wren's reference test runner (bin/wren_test)")
    ap.add_argument("--amber", required=True, help="the amber executable")
    ap.add_argument("--tests", required=True, help="Wren's test/ directory")
    ap.add_argument("--show", type=int, default=10, help="differences to print (default 10)")
    ap.add_argument("--list", help="write the names of the differing files here")
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    tests = os.path.abspath(args.tests)
    root = os.path.dirname(tests)
    wren, amber = os.path.abspath(args.wren), os.path.abspath(args.amber)
    files = sorted(f for s in SUITES for f in glob.glob(f"{tests}/{s}/**/*.wren", recursive=True))
    rels = ["./" + os.path.relpath(f, root) for f in files]

    def compare(rel):
        w = run(wren, rel, root, args.timeout)
        a = run(amber, rel, root, args.timeout)
        return rel, w, a

    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(compare, rels))
    differing = [(rel, w, a) for rel, w, a in results if w != a]
    for rel, w, a in differing[: args.show]:
        print(describe(rel, w, a))
    if args.list:
        with open(args.list, "w") as f:
            f.write("".join(rel + "\n" for rel, _, _ in differing))
    print(f"{len(results) - len(differing)} of {len(results)} files identical")
    return 0 if not differing else 1


if __name__ == "__main__":
    sys.exit(main())
