#!/usr/bin/env python3
"""Start-up of amber (issue 18): callgrind instruction counts and hyperfine means.

    python3 Benchmarks/startup/run.py --amber .build/release/amber \
        [--before OLD/amber] [--wren /tmp/wren/bin/wren_test] [--runs 300]

Cases (files beside this script): hello, a small restore (the image is written
first by each amber with -snapshot), -e, standard input, a script importing
io, os and timer, and strlen through the ffi module. Prints a Markdown table.
Outputs are checked before anything is timed; all commands of a kind are timed
in one hyperfine run. Standard input cannot be fed to `hyperfine -N` (1.15),
so that row is timed through a shell (hyperfine subtracts the shell's own
start-up), beside hello timed the same way.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def cases(amber, image):
    return [
        ("hello", [amber, path("hello.wren")], None, "hello from amber\n"),
        ("restore", [amber, "-restore:file=" + image], None, "restored\n"),
        ("-e", [amber, "-e", "System.print(1)"], None, "1\n"),
        ("stdin", [amber, "-"], "System.print(1)\n", "1\n"),
        ("io, os, timer", [amber, path("modules.wren")], None, "false\ntrue\n"),
        ("ffi strlen", [amber, "--allow-ffi", path("strlen.wren")], None, "10\n"),
    ]


def run(cmd, stdin):
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True)


def instructions(cmd, stdin):
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd,
                         input=stdin, capture_output=True, text=True).stderr
    m = re.search(r"refs:\s+([\d,]+)", out)
    return int(m.group(1).replace(",", "")) if m else None


def hyperfine(commands, runs, shell=False):
    """Mean and minimum in ms of each command, all in one hyperfine run."""
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        args = ["hyperfine", "--warmup", "30", "--runs", str(runs), "--export-json", f.name, "--style", "none"]
        if not shell:
            args.append("-N")
        subprocess.run(args + commands, check=True, capture_output=True)
        data = json.load(open(f.name))
    return [(r["mean"] * 1000, r["min"] * 1000) for r in data["results"]]


def quote(cmd):
    return " ".join("'%s'" % c if " " in c or "(" in c else c for c in cmd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--amber", required=True)
    ap.add_argument("--before")
    ap.add_argument("--wren")
    ap.add_argument("--runs", type=int, default=300)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    builds = [("after", os.path.abspath(a.amber))] + ([("before", os.path.abspath(a.before))] if a.before else [])
    table = {}
    timed, through_shell = [], []     # (row, label, command)
    for label, amber in builds:
        image = os.path.join(tmp, label + ".img")
        r = run([amber, "-snapshot:file=%s,trigger=Main.run,exit" % image, path("small.wren")], None)
        if r.returncode != 0:
            sys.exit("%s: snapshot failed: %s" % (label, r.stderr))
        for name, cmd, stdin, expected in cases(amber, image):
            r = run(cmd, stdin)
            if r.stdout != expected:
                sys.exit("%s %s: printed %r, expected %r (%s)" % (label, name, r.stdout, expected, r.stderr))
            table.setdefault(name, {})[label + " instructions"] = instructions(cmd, stdin)
            if stdin is None:
                timed.append((name, label, quote(cmd)))
        through_shell.append(("hello (shell)", label, quote([amber, path("hello.wren")])))
        through_shell.append(("stdin", label, quote([amber, "-"]) + " < " + path("hello.wren")))
    if a.wren:
        table["wren_test hello"] = {"after instructions": instructions([a.wren, path("hello.wren")], None)}
        timed.append(("wren_test hello", "after", quote([a.wren, path("hello.wren")])))
        through_shell.append(("wren_test hello (shell)", "after", quote([a.wren, path("hello.wren")])))
    for batch, shell in ((timed, False), (through_shell, True)):
        for (name, label, _), (mean, low) in zip(batch, hyperfine([c for _, _, c in batch], a.runs, shell)):
            table.setdefault(name, {})[label + " ms"] = "%.2f (%.2f)" % (mean, low)
    cols = ["before instructions", "after instructions", "before ms", "after ms"]
    print("| case | " + " | ".join(cols) + " |")
    print("| --- |" + " ---: |" * len(cols))
    for name, row in table.items():
        cells = []
        for c in cols:
            v = row.get(c)
            cells.append("" if v is None else ("{:,}".format(v) if isinstance(v, int) else v))
        print("| %s | %s |" % (name, " | ".join(cells)))
    print("\nms: hyperfine mean (minimum) of %d runs; stdin and the (shell) rows are timed through a shell,"
          " whose own start-up hyperfine subtracts." % a.runs)


if __name__ == "__main__":
    main()
