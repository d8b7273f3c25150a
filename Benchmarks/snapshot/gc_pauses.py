#!/usr/bin/env python3
"""Collection pauses with over 1 GB of live data, as -verbose:gc reports them.

Builds a million-entry shape five times over (5 million two-element lists
holding ~150-byte strings, about 1.5 GB live), then:
  1. cold: forces three full collections (System.gc()) and reports their pauses;
  2. restored: snapshots at Main.ready, restores, and forces collections in
     the restored process, where the image is the old region (young
     collections: the image is marked through but not moved).

    python3 Benchmarks/snapshot/gc_pauses.py [--amber .build/release/amber]
"""
import argparse, os, re, subprocess, tempfile

PROGRAM = r'''
class Main {
  static ready() {
    for (i in 0...3) System.gc()
    var young = (0...100000).map {|i| "young %(i)" }.toList
    System.gc()
    System.print("ready %(__data.count) %(young.count)")
  }
  static build() {
    __data = []
    var pad = "x" * 140
    for (i in 0...5000000) __data.add([pad + i.toString, i])
  }
}
Main.build()
Main.ready()
'''


def pauses(stderr):
    return [(m.group(1), int(m.group(2)), float(m.group(3)))
            for m in re.finditer(r"\[gc\] #\d+ (young|full): \d+ -> (\d+) bytes.*?pause ([\d.]+) ms", stderr)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--amber", default=".build/release/amber")
    args = ap.parse_args()
    amber = os.path.abspath(args.amber)
    with tempfile.TemporaryDirectory() as d:
        src, img = os.path.join(d, "app.wren"), os.path.join(d, "app.img")
        with open(src, "w") as f:
            f.write(PROGRAM)
        cold = subprocess.run([amber, "-Xmx3g", "-verbose:gc", src], capture_output=True, text=True, check=True)
        subprocess.run([amber, "-Xmx3g", f"-snapshot:file={img},trigger=Main.ready,exit", src],
                       capture_output=True, text=True, check=True)
        restored = subprocess.run([amber, "-verbose:gc", f"-restore:file={img}"], capture_output=True, text=True, check=True)
    print("| run | collection | live after (MB) | pause (ms) |")
    print("| --- | --- | ---: | ---: |")
    for label, run in (("cold", cold), ("restored", restored)):
        for kind, live, ms in pauses(run.stderr)[-4:]:
            print(f"| {label} | {kind} | {live / 1e6:.0f} | {ms:.0f} |")


if __name__ == "__main__":
    main()
