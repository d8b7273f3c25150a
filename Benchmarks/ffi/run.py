#!/usr/bin/env python3
"""Times 10^6 calls of strlen and abs in Amber's ffi module, Python's ctypes and cffi.

Usage (from the repository root, after `swift build -c release`):
    python3 Benchmarks/ffi/run.py [--runs 5] [--amber .build/release/amber]

Each program prints its checksums (checked here before any time is used) and,
per call, the time of the loop with the call and of the same loop without it.
The table reports the best of --runs runs: ns per loop iteration, ns per call
(iteration minus the bare loop), and the per-call ratio to ctypes.
Needs `pip install cffi` for the cffi column.
"""
import argparse, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = ["strlen 12000000", "abs 499999500000"]


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()
    if out[:2] != EXPECTED:
        sys.exit(f"{' '.join(cmd)}: wrong output {out[:2]}, expected {EXPECTED}")
    times = {}
    for line in out[2:]:
        m = re.match(r"time (\w+) ([\d.e+-]+) loop ([\d.e+-]+)", line)
        times[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    return times


def best(cmd, runs):
    results = [run(cmd) for _ in range(runs)]
    return {f: min((r[f] for r in results), key=lambda t: t[0]) for f in ("strlen", "abs")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--amber", default=".build/release/amber")
    a = ap.parse_args()
    impls = [("Amber ffi", [a.amber, "--allow-ffi", os.path.join(HERE, "calls.wren")]),
             ("Python ctypes", [sys.executable, os.path.join(HERE, "calls_ctypes.py")])]
    try:
        import cffi  # noqa: F401
        impls.append(("Python cffi (ABI mode)", [sys.executable, os.path.join(HERE, "calls_cffi.py")]))
    except ImportError:
        print("cffi is not installed (pip install cffi): skipping it", file=sys.stderr)
    table = {name: best(cmd, a.runs) for name, cmd in impls}
    ctypes = table["Python ctypes"]
    print("| implementation | function | ns per iteration | ns per call (minus bare loop) | per call / ctypes |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name, t in table.items():
        for f in ("strlen", "abs"):
            total, loop = t[f]
            call = total - loop
            ratio = call / (ctypes[f][0] - ctypes[f][1])
            print(f"| {name} | {f} | {total:.1f} | {call:.1f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
