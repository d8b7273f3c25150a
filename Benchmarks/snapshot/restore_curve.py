#!/usr/bin/env python3
"""The restore curve: cold start, snapshot write and restore for images of about
1 MB, 100 MB and 1 GB of live heap (tracker issue 9).

For each size a generated Wren program (as in restore_bench.py) builds that much
live data, strings of about 1000 bytes in a list, then calls the trigger
Main.ready, which prints "ready N" and ends the program. Measured, each run's
output checked before it counts:

  cold        wall time of the program run without a snapshot: start to the
              trigger, plus printing one line (median of --cold-runs)
  write       the snapshot's "write" phase and its heap MB/s, as -verbose:snapshot
              reports them (median of --write-runs snapshots, each to a new file,
              with the fastest and slowest: the device's speed varies; collection
              and compaction before the write are not included)
  restore     wall time of `-restore:` to exit, the process start included
              (median of --runs), with the default verify=header and with verify=full
  VM work     the restore phases -verbose:snapshot reports, summed: validate and
              map, heap checksum (verify=full only), code pointers by name,
              post-restore hooks (median of the same runs)

Images live in a temporary directory that is removed at the end. The page cache
is warm: each image is restored right after it was written.

Usage: restore_curve.py [AMBER] [--runs 5] [--cold-runs 3] [--write-runs 5] [--sizes 1,100,1000] [--dir /tmp]
  AMBER defaults to .build/release/amber. Prints a Markdown table on stdout,
  progress on stderr. Python 3 standard library only.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

# The same program as restore_bench.py (this folder): one list of 1 KB strings.
from restore_bench import PROGRAM

WRITE = re.compile(r"\] write .*heap (\d+) bytes, ([0-9.]+) ms, (\d+) MB/s")
PHASE_MS = re.compile(r"([0-9.]+) ms\)?$")


def run(cmd, cwd):
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - t, p


def check(p, expected, what):
    if p.returncode != 0 or p.stdout != expected:
        sys.exit("%s: exit %d, printed %r, expected %r\n%s" % (what, p.returncode, p.stdout, expected, p.stderr))


def restore_work_ms(stderr):
    """The restore phases -verbose:snapshot reports, summed, in ms."""
    total = 0.0
    for line in stderr.splitlines():
        if not line.startswith("amber: [snapshot] "):
            continue
        m = PHASE_MS.search(line)
        if m:
            total += float(m.group(1))
    return total


def measure(vm, mb, runs, cold_runs, write_runs, work):
    src = os.path.join(work, "live%d.wren" % mb)
    with open(src, "w") as f:
        f.write(PROGRAM.replace("MEGABYTES", str(mb)))
    img = os.path.join(work, "live%d.img" % mb)
    heap = "-Xmx%dm" % max(64, mb * 3)
    expected = "ready %d\n" % (mb * 1000)

    colds = []
    for _ in range(cold_runs):
        t, p = run([vm, heap, src], work)
        check(p, expected, "cold run of %d MB" % mb)
        colds.append(t)

    writes, rates, heap_bytes = [], [], 0
    for _ in range(write_runs):
        if os.path.exists(img):
            os.remove(img)  # each snapshot writes a new file (replacing one also frees the old)
        _, p = run([vm, heap, "-verbose:snapshot", "-snapshot:file=%s,trigger=Main.ready,exit" % img, src], work)
        if p.returncode != 0:
            sys.exit("snapshot of %d MB failed:\n%s" % (mb, p.stderr))
        m = WRITE.search(p.stderr)
        if not m:
            sys.exit("no write line in -verbose:snapshot output:\n%s" % p.stderr)
        heap_bytes = int(m.group(1))
        writes.append(float(m.group(2)))
        rates.append(int(m.group(3)))
    size = os.path.getsize(img)

    def restore(option):
        walls, vm_work = [], []
        for _ in range(runs):
            t, p = run([vm, heap, "-verbose:snapshot", "-restore:file=%s%s" % (img, option)], work)
            check(p, expected, "restore of %d MB%s" % (mb, option))
            walls.append(t)
            vm_work.append(restore_work_ms(p.stderr))
        return statistics.median(walls), statistics.median(vm_work)

    header = restore("")
    full = restore(",verify=full")
    os.remove(img)
    return {
        "mb": mb, "heap": heap_bytes, "image": size,
        "cold": statistics.median(colds),
        "write": statistics.median(writes), "rate": statistics.median(rates),
        "write_min": min(writes), "write_max": max(writes),
        "restore": header[0], "work": header[1],
        "restore_full": full[0], "work_full": full[1],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vm", nargs="?", default=".build/release/amber", help="the amber executable")
    ap.add_argument("--runs", type=int, default=5, help="restores per size and verify mode")
    ap.add_argument("--cold-runs", type=int, default=3, help="cold runs per size")
    ap.add_argument("--write-runs", type=int, default=5, help="snapshots per size")
    ap.add_argument("--sizes", default="1,100,1000", help="live data in MB, comma-separated")
    ap.add_argument("--dir", default=None, help="where the temporary directory is made")
    a = ap.parse_args()
    vm = os.path.abspath(a.vm)
    if not os.access(vm, os.X_OK):
        sys.exit("no executable at %s (build with: swift build -c release)" % vm)
    work = tempfile.mkdtemp(prefix="amber-restore-curve-", dir=a.dir)
    rows = []
    try:
        for mb in [int(s) for s in a.sizes.split(",")]:
            print("measuring %d MB ..." % mb, file=sys.stderr, flush=True)
            rows.append(measure(vm, mb, a.runs, a.cold_runs, a.write_runs, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("| live | heap MB | image MB | cold | write (fastest–slowest) | write MB/s | restore (header) | VM work (header) "
          "| restore (full) | VM work (full) | cold / restore |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| %d MB | %.1f | %.1f | %.0f ms | %.0f ms (%.0f–%.0f) | %d | %.1f ms | %.2f ms | %.1f ms | %.2f ms | %.0fx |" % (
            r["mb"], r["heap"] / 1e6, r["image"] / 1e6, r["cold"] * 1e3, r["write"], r["write_min"], r["write_max"], r["rate"],
            r["restore"] * 1e3, r["work"], r["restore_full"] * 1e3, r["work_full"], r["cold"] / r["restore"]))
    print()
    print("cold: the program run without a snapshot, median of %d; write: the snapshot's write phase "
          "(-verbose:snapshot), median of %d; restore: wall time to exit, median of %d; VM work: the "
          "restore phases -verbose:snapshot reports, summed. Page cache warm." % (a.cold_runs, a.write_runs, a.runs))


if __name__ == "__main__":
    main()
