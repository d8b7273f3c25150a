#!/usr/bin/env python3
"""How much of an image stays shared when many processes restore it and collect.

Builds an image of about 200 MB (a million 100-byte strings in two-element
lists), then starts N processes restored from it. Each one forces collections
(System.gc()), allocates, changes one entry, collects again, says "ready" and
waits. Once all are ready, reads /proc/PID/smaps_rollup of each: Pss (its fair
share of memory), Private_Dirty (pages it alone has written) and Rss.

    python3 Benchmarks/snapshot/shared_pages.py [--amber .build/release/amber] [--processes 16]

Linux only (smaps_rollup). Prints a Markdown table and the image size.
"""
import argparse, os, subprocess, sys, tempfile

PROGRAM = r'''
import "io" for Stdin
class Main {
  static ready() {
    System.gc()
    var young = (0...20000).map {|i| "young %(i)" }.toList
    __data[5] = ["changed", 1]
    System.gc()
    System.print("ready %(__data.count) %(young.count)")
    Fiber.new { Stdin.readLine() }.try()
  }
  static build() {
    __data = []
    for (i in 0...1000000) __data.add(["entry number %(i) padded to about one hundred bytes ..............................", i])
  }
}
Main.build()
Main.ready()
'''


def rollup(pid):
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[-1] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1])
    return fields


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--amber", default=".build/release/amber")
    ap.add_argument("--processes", type=int, default=16)
    args = ap.parse_args()
    amber = os.path.abspath(args.amber)
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, "app.wren")
        image = os.path.join(d, "app.img")
        with open(script, "w") as f:
            f.write(PROGRAM)
        subprocess.run([amber, f"-snapshot:file={image},trigger=Main.ready,exit", script],
                       check=True, stdout=subprocess.DEVNULL)
        image_kb = os.path.getsize(image) // 1024
        procs = [subprocess.Popen([amber, "-verbose:gc", f"-restore:file={image}"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(args.processes)]
        rows = []
        try:
            for p in procs:
                line = p.stdout.readline()
                if not line.startswith("ready"):
                    sys.exit(f"a restored process failed: {line!r} {p.stderr.read()}")
            for p in procs:
                rows.append(rollup(p.pid))
        finally:
            for p in procs:
                try:
                    p.stdin.close()
                except OSError:
                    pass
                p.wait()
        gc_lines = procs[0].stderr.read().strip().splitlines()
    mb = lambda kb: f"{kb / 1024:.1f}"
    avg = lambda key: sum(r.get(key, 0) for r in rows) / len(rows)
    print(f"image: {mb(image_kb)} MB, {args.processes} restored processes, each after 2 collections")
    print("collections of the first process:")
    for line in gc_lines:
        print("    " + line)
    print()
    print("| per process (average) | MB | share of the image |")
    print("| --- | ---: | ---: |")
    for key in ("Rss", "Pss", "Private_Dirty"):
        print(f"| {key} | {mb(avg(key))} | {100 * avg(key) / image_kb:.1f}% |")


if __name__ == "__main__":
    main()
