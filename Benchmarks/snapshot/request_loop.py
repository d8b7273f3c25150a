#!/usr/bin/env python3
"""Collections while a program with a large heap serves requests (issue 16).

The program builds N entries (N two-element lists holding a ~106-byte string
and a number: 265 MB live at N = 1,000,000), then serves 2000 requests; each
allocates 500 small lists and strings and stores one of them into an old
entry. Run cold, and restored from an image written when serving starts.
Reports, for the serving phase only: the collections (-verbose:gc), their
pauses, the request times (p50, p99, max), the peak RSS of the process, and
checks the program's result against a cold run without a young space.

    python3 Benchmarks/snapshot/request_loop.py [--amber .build/release/amber] [--entries 1000000]
"""
import argparse, os, re, statistics, subprocess, tempfile

PROGRAM = r'''
import "os" for Process
class Main {
  static build(n) {
    __data = []
    var pad = "x" * 100
    for (i in 0...n) __data.add([pad + i.toString, i])
  }
  static serve(requests) {
    System.print("serving")
    var times = []
    for (r in 0...requests) {
      var start = System.clock
      var tmp = []
      for (k in 0...500) tmp.add([k, "req %(r) %(k)"])
      __data[(r * 7919) % __data.count][1] = tmp[r % 500]
      times.add(System.clock - start)
    }
    times.sort()
    var ms = Fn.new {|s| (s * 1e6).round / 1e3 }
    System.print("requests p50 %(ms.call(times[requests / 2])) p99 %(ms.call(times[(requests * 99 / 100).floor])) max %(ms.call(times[-1])) ms")
    var nums = 0
    var lists = 0
    for (e in __data) {
      if (e[1] is Num) {
        nums = nums + e[1]
      } else {
        lists = lists + e[1][0]
      }
    }
    System.print("result %(__data.count) %(nums) %(lists)")
  }
}
Main.build(Num.fromString(Process.arguments[0]))
Main.serve(2000)
'''

GC = re.compile(r"amber: \[gc\] #\d+ (young|full): (\d+) -> (\d+) bytes.*?pause ([\d.]+) ms")


def run(cmd):
    """Runs cmd with stderr merged into stdout; returns (output, peak RSS in MB)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out}")
    return out, usage.ru_maxrss / 1024


def report(label, out, rss):
    serving = out.split("serving\n", 1)[1]
    gcs = [(m.group(1), float(m.group(4))) for m in GC.finditer(serving)]
    requests = re.search(r"requests (.*)", serving).group(1)
    result = re.search(r"result (.*)", serving).group(1)
    kinds = ", ".join(f"{sum(1 for k, _ in gcs if k == kind)} {kind}" for kind in ("young", "full"))
    pauses = [ms for _, ms in gcs]
    shown = f"{min(pauses):.2f} / {statistics.median(pauses):.2f} / {max(pauses):.2f}" if pauses else "-"
    print(f"| {label} | {kinds} | {shown} | {requests} | {rss:.0f} |")
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--amber", default=".build/release/amber")
    ap.add_argument("--entries", type=int, default=1000000)
    args = ap.parse_args()
    amber = os.path.abspath(args.amber)
    n = str(args.entries)
    with tempfile.TemporaryDirectory() as d:
        src, img = os.path.join(d, "serve.wren"), os.path.join(d, "serve.img")
        with open(src, "w") as f:
            f.write(PROGRAM)
        print(f"{args.entries} entries, 2000 requests of 500 small lists and strings each")
        print()
        print("| run | collections while serving | pause min / median / max (ms) | request time | peak RSS (MB) |")
        print("| --- | --- | ---: | --- | ---: |")
        cold = report("cold", *run([amber, "-verbose:gc", src, n]))
        run([amber, f"-snapshot:file={img},trigger=Main.serve,exit", src, n])
        image = os.path.getsize(img) / 1e6
        restored = report(f"restored ({image:.0f} MB image)", *run([amber, "-verbose:gc", f"-restore:file={img}", n]))
        # The same program with no young collections at all (a young space
        # larger than everything it allocates): the reference result.
        reference = re.search(r"result (.*)", run([amber, "-Xmn8g", "-Xmx8g", src, n])[0]).group(1)
        for label, result in (("cold", cold), ("restored", restored)):
            if result != reference:
                raise SystemExit(f"{label} result {result} differs from {reference}")
        print()
        print(f"results agree: {reference}")


if __name__ == "__main__":
    main()
