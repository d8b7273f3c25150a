#!/usr/bin/env python3
"""Restore time against cold start, for images of about 1 MB, 100 MB and 1 GB of live heap.

For each size, a generated Wren program builds that much live data (strings in a
list), then enters the trigger Main.ready. The table gives:
  cold      seconds from process start to the trigger (run with ,exit, minus the write)
  write     seconds spent writing the image (from -verbose:snapshot)
  MB/s      snapshot write throughput
  restore   seconds from process start to the trigger's output, resumed from the image
  ratio     cold / restore
  verify=header  restore without the heap checksum (the one step that grows with the heap)
Every run's output is checked before it is timed.

Usage: restore_bench.py --vm .build/release/amber [--runs 5] [--sizes 1,100,1000] [--dir /tmp/amber-bench]
"""
import argparse, os, re, statistics, subprocess, sys, time

PROGRAM = """
class Main {
  static ready() { System.print("ready %(__data.count)") }
  static build(megabytes) {
    __data = []
    var chunk = "x" * 1000
    for (i in 1..megabytes * 1000) __data.add(chunk + i.toString)
  }
}
Main.build(MEGABYTES)
Main.ready()
"""

def run(cmd, cwd):
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - t, p

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vm", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="1,100,1000")
    ap.add_argument("--dir", default="/tmp/amber-restore-bench")
    a = ap.parse_args()
    vm = os.path.abspath(a.vm)
    os.makedirs(a.dir, exist_ok=True)
    rows = []
    for mb in [int(s) for s in a.sizes.split(",")]:
        src = os.path.join(a.dir, "live%d.wren" % mb)
        with open(src, "w") as f:
            f.write(PROGRAM.replace("MEGABYTES", str(mb)))
        img = os.path.join(a.dir, "live%d.img" % mb)
        heap = "-Xmx%dm" % max(64, mb * 3)
        expected = "ready %d\n" % (mb * 1000)
        colds, writes = [], []
        for _ in range(max(1, a.runs // 2)):
            t, p = run([vm, heap, "-verbose:snapshot", "-snapshot:file=%s,trigger=Main.ready,exit" % img, src], a.dir)
            if p.returncode != 0:
                sys.exit("cold run failed: %s" % p.stderr)
            m = re.search(r"write .*?, ([0-9.]+) ms", p.stderr)
            write = float(m.group(1)) / 1000 if m else 0.0
            # The cold start is the run up to the trigger, without writing the image.
            colds.append(t - write)
            writes.append(write)
        size = os.path.getsize(img)
        def restore_times(option):
            times = []
            for _ in range(a.runs):
                t, p = run([vm, heap, option % img], a.dir)
                if p.stdout != expected:
                    sys.exit("restore printed %r, expected %r: %s" % (p.stdout, expected, p.stderr))
                times.append(t)
            return statistics.median(times)
        restore = restore_times("-restore:file=%s")
        fast = restore_times("-restore:file=%s,verify=header")
        cold, write = statistics.median(colds), statistics.median(writes)
        rows.append((mb, size / 1e6, cold, write, size / 1e6 / write, restore, cold / restore, fast))
        os.remove(img)
    print("%-8s %10s %9s %9s %8s %10s %8s %14s" % ("live", "image MB", "cold s", "write s", "MB/s", "restore s", "ratio", "verify=header"))
    for mb, size, cold, write, tput, restore, ratio, fast in rows:
        print("%-8s %10.1f %9.3f %9.3f %8.0f %10.4f %7.0fx %13.4fs" % ("%d MB" % mb, size, cold, write, tput, restore, ratio, fast))

if __name__ == "__main__":
    main()
