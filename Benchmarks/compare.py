#!/usr/bin/env python3
"""Run the benchmark programs under Amber and other VMs and compare times.

Usage (from the repository root):

    python3 Benchmarks/compare.py --vm ./.build/release/amber \
        [--other 'wren=/tmp/wrenbench/bin/wren_test'] \
        [--other 'lua=lua5.4'] [--other 'python=python3'] \
        [--runs 5] [--only fib,for]

For each benchmark (a Benchmarks/wren/NAME.wren with a NAME.expected beside
it), every VM first runs its version of the program once and its standard
output is compared with NAME.expected; a VM whose output differs (or that
fails, or times out) is reported as WRONG for that benchmark and not timed.
The VMs that passed are then run --runs times each, interleaved (a, b, c, a,
b, c, ...), and the median wall-clock time of each is reported together with
the ratio amber/other. Lower ratios are better for Amber.

An --other is LABEL=COMMAND or LABEL:LANGUAGE=COMMAND. COMMAND may contain
arguments (it is split like a shell word list) and gets the program's path
appended. LANGUAGE is wren, lua or python and selects the folder the program
is taken from (Benchmarks/wren/NAME.wren, Benchmarks/lua/NAME.lua,
Benchmarks/python/NAME.py); without it the language is guessed from the
label, then from the command's name, and defaults to wren. A VM with no
program for a benchmark is skipped for it.

Exit status: 0 if every output that was checked was right, 1 if any was
WRONG, 2 for a usage error (such as a VM command that cannot be found).

Python 3 standard library only.
"""

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

LANGUAGES = {
    "wren": ("wren", ".wren"),
    "lua": ("lua", ".lua"),
    "python": ("python", ".py"),
}


class VM:
    def __init__(self, label, command, language):
        self.label = label
        self.command = command  # list of words
        self.language = language

    def program(self, name):
        folder, ext = LANGUAGES[self.language]
        path = os.path.join(HERE, folder, name + ext)
        return path if os.path.isfile(path) else None


def guess_language(label, command):
    for text in (label.lower(), os.path.basename(command[0]).lower()):
        if text.startswith("lua") or "luajit" in text:
            return "lua"
        if text.startswith("py") or "python" in text:
            return "python"
        if text.startswith("wren") or text.startswith("amber"):
            return "wren"
    return "wren"


def resolve_command(words, what):
    """Makes the executable absolute (so the cwd does not matter) and checks
    that it exists."""
    exe = words[0]
    if os.sep in exe:
        path = os.path.abspath(exe)
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            sys.exit(f"compare.py: {what}: no executable at {exe}")
        return [path] + words[1:]
    path = shutil.which(exe)
    if path is None:
        sys.exit(f"compare.py: {what}: command not found: {exe}")
    return [path] + words[1:]


def parse_other(spec):
    if "=" not in spec:
        sys.exit(f"compare.py: --other wants LABEL=COMMAND, got {spec!r}")
    label, command = spec.split("=", 1)
    language = None
    if ":" in label:
        label, language = label.split(":", 1)
        if language not in LANGUAGES:
            sys.exit(f"compare.py: unknown language {language!r} in {spec!r} "
                     f"(use one of {', '.join(LANGUAGES)})")
    words = shlex.split(command)
    if not label or not words:
        sys.exit(f"compare.py: --other wants LABEL=COMMAND, got {spec!r}")
    words = resolve_command(words, f"--other {label}")
    return VM(label, words, language or guess_language(label, words))


def run_once(vm, program, timeout):
    """Runs program under vm. Returns (seconds, returncode, stdout, stderr);
    returncode is None on a timeout."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(vm.command + [program], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return time.perf_counter() - start, None, e.stdout or b"", e.stderr or b""
    return time.perf_counter() - start, proc.returncode, proc.stdout, proc.stderr


def describe_mismatch(expected, actual, returncode, stderr, timeout):
    if returncode is None:
        return f"timed out after {timeout:g} s"
    lines = []
    if returncode != 0:
        lines.append(f"exit status {returncode}")
    exp = expected.decode("utf-8", "replace").splitlines()
    act = actual.decode("utf-8", "replace").splitlines()
    for i in range(max(len(exp), len(act))):
        e = exp[i] if i < len(exp) else "<end of output>"
        a = act[i] if i < len(act) else "<end of output>"
        if e != a:
            lines.append(f"line {i + 1}: expected {e!r}, got {a!r}")
            break
    else:
        if expected != actual:
            lines.append("output differs in line endings or a final newline")
    err = stderr.decode("utf-8", "replace").strip().splitlines()
    if err:
        lines.append("stderr: " + " | ".join(err[-3:]))
    return "; ".join(lines) or "output differs"


def benchmark_names():
    names = []
    folder = os.path.join(HERE, "wren")
    for entry in sorted(os.listdir(folder)):
        if entry.endswith(".wren"):
            name = entry[:-len(".wren")]
            if os.path.isfile(os.path.join(folder, name + ".expected")):
                names.append(name)
    return names


def format_table(rows):
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(widths[i + 1]) for i, cell in enumerate(row[1:])]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(
        description="Compare Amber's speed on the benchmark programs with "
                    "other VMs.",
        epilog="Example: compare.py --vm ./.build/release/amber "
               "--other 'wren=/tmp/wrenbench/bin/wren_test' "
               "--other 'lua=lua5.4' --runs 5 --only fib,for")
    parser.add_argument("--vm", required=True,
                        help="the Amber executable (gets a .wren path)")
    parser.add_argument("--other", action="append", default=[],
                        metavar="LABEL[:LANG]=COMMAND",
                        help="another VM to compare with (repeatable)")
    parser.add_argument("--runs", type=int, default=5,
                        help="timed runs per VM and benchmark (default 5)")
    parser.add_argument("--only", default="",
                        help="comma-separated benchmark names to run")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds before one run is given up (default 300)")
    parser.add_argument("--list", action="store_true",
                        help="list the benchmarks and exit")
    args = parser.parse_args()

    names = benchmark_names()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in names]
        if unknown:
            sys.exit(f"compare.py: unknown benchmark(s): {', '.join(unknown)} "
                     f"(known: {', '.join(names)})")
        names = [n for n in names if n in wanted]
    if args.runs < 1:
        sys.exit("compare.py: --runs must be at least 1")

    amber = VM("amber", resolve_command(shlex.split(args.vm), "--vm"), "wren")
    others = [parse_other(spec) for spec in args.other]
    labels = [amber.label] + [o.label for o in others]
    if len(set(labels)) != len(labels):
        sys.exit("compare.py: VM labels must be distinct: " + ", ".join(labels))
    vms = [amber] + others

    header = ["benchmark"] + [f"{vm.label} (s)" for vm in vms]
    header += [f"amber/{o.label}" for o in others]
    rows = [header]
    problems = []
    any_wrong = False
    ratios = {o.label: [] for o in others}

    for name in names:
        expected_path = os.path.join(HERE, "wren", name + ".expected")
        with open(expected_path, "rb") as f:
            expected = f.read()

        # 1. Correctness: one run each, output compared with .expected.
        status = {}    # label -> "ok" | "WRONG" | "-"
        programs = {}
        for vm in vms:
            program = vm.program(name)
            if program is None:
                status[vm.label] = "-"
                continue
            programs[vm.label] = program
            print(f"[{name}] checking {vm.label} ...", file=sys.stderr, flush=True)
            _, code, out, err = run_once(vm, program, args.timeout)
            if code == 0 and out == expected:
                status[vm.label] = "ok"
            else:
                status[vm.label] = "WRONG"
                any_wrong = True
                problems.append(f"{name} / {vm.label}: " +
                                describe_mismatch(expected, out, code, err,
                                                  args.timeout))

        # 2. Timing: interleaved runs of every VM that passed.
        timed = [vm for vm in vms if status[vm.label] == "ok"]
        times = {vm.label: [] for vm in timed}
        for run in range(args.runs):
            print(f"[{name}] timing run {run + 1}/{args.runs} ...",
                  file=sys.stderr, flush=True)
            for vm in timed:
                if vm.label not in times:
                    continue  # dropped after a failing run
                seconds, code, _, err = run_once(vm, programs[vm.label],
                                                 args.timeout)
                if code != 0:
                    status[vm.label] = "FAILED"
                    any_wrong = True
                    problems.append(f"{name} / {vm.label}: a timed run "
                                    f"{'timed out' if code is None else f'exited with {code}'}")
                    del times[vm.label]
                    continue
                times[vm.label].append(seconds)

        medians = {label: statistics.median(ts) for label, ts in times.items()}
        row = [name]
        for vm in vms:
            if vm.label in medians:
                row.append(f"{medians[vm.label]:.3f}")
            else:
                row.append(status[vm.label])
        for o in others:
            if amber.label in medians and o.label in medians and medians[o.label] > 0:
                ratio = medians[amber.label] / medians[o.label]
                ratios[o.label].append(ratio)
                row.append(f"{ratio:.2f}x")
            else:
                row.append("-")
        rows.append(row)

    if others and any(ratios.values()):
        row = ["geometric mean"] + [""] * len(vms)
        for o in others:
            rs = ratios[o.label]
            row.append(f"{statistics.geometric_mean(rs):.2f}x" if rs else "-")
        rows.append(row)

    print(f"median of {args.runs} run(s), wall-clock seconds; "
          f"ratio = amber time / other time (lower is better for Amber)")
    for vm in vms:
        print(f"  {vm.label}: {' '.join(shlex.quote(w) for w in vm.command)} "
              f"({vm.language} programs)")
    print()
    print(format_table(rows))
    if problems:
        print()
        print("Problems:")
        for p in problems:
            print("  " + p)
    return 1 if any_wrong else 0


if __name__ == "__main__":
    sys.exit(main())
