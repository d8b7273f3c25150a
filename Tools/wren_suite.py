#!/usr/bin/env python3
"""Runs Wren's official test suite (fetched outside this repository) with Amber
and reports passes and failures per directory, then a total line.

    python3 Tools/wren_suite.py --tests PATH/TO/wren/test --vm .build/release/amber

Every .wren file of the suites (all of test/ except api, unit and benchmark,
which need Wren's C test host) runs from the folder above test/, as Wren's own
runner does, and is judged by Tools/wren_conformance.py: its `// expect:`,
`// expect error`, `// expect runtime error:` comments, its `// stdin:` input
and the exit code they imply (0, 65 or 70). Exit status: 0 when every test
passed, 1 when one failed, 2 on a usage error.

Options: --jobs N (parallel runs, default 2), --timeout S (per test, default
10), --list-failures (one line per failing test with its reasons).
"""
import argparse
import concurrent.futures
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in the repository
import wren_conformance as judge  # noqa: E402  (the judge lives beside this script)


def main():
    ap = argparse.ArgumentParser(description="Run Wren's test suite with Amber, per directory.")
    ap.add_argument("--tests", required=True, help="Wren's test/ directory")
    ap.add_argument("--vm", required=True, help="the amber executable (or a command; the test path is appended)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--list-failures", action="store_true")
    args = ap.parse_args()

    tests = os.path.abspath(args.tests)
    if not os.path.isdir(tests):
        ap.error("--tests %s is not a directory (it should be the test/ folder of a Wren checkout)" % args.tests)
    vm = judge.resolve_vm(args.vm)
    if os.sep in vm[0] and not os.access(vm[0], os.X_OK):
        ap.error("--vm %s is not an executable (build it: swift build -c release --product amber)" % args.vm)
    cwd = os.path.dirname(tests)
    # A stack line naming a file of the suite, e.g. "[./test/language/foo line 3] in (script)".
    stack_re = re.compile(r"(?:\[\./)?" + re.escape(os.path.basename(tests)) + r"/.* line (\d+)\] in")
    suites = sorted(d for d in os.listdir(tests)
                    if os.path.isdir(os.path.join(tests, d)) and d not in judge.DEFAULT_EXCLUDED)

    runs, skipped = [], {}
    for _, path in judge.collect(tests, suites):
        spec = judge.parse_spec(path)
        directory = os.path.relpath(os.path.dirname(path), tests).replace(os.sep, "/")
        if spec.kind == "skip":
            skipped[directory] = skipped.get(directory, 0) + 1
        elif spec.kind == "test":
            runs.append((directory, os.path.relpath(path, cwd).replace(os.sep, "/"), spec))

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda r: judge.run_one(vm, r[1], cwd, r[2], args.timeout, stack_re), runs))

    table = {}
    for (directory, rel, _), result in zip(runs, results):
        row = table.setdefault(directory, {"pass": 0, "fail": 0})
        row[result["status"]] += 1
        if result["status"] == "fail" and args.list_failures:
            print("FAIL %s: %s" % (rel, " | ".join(result["reasons"]) or "?"))
    width = max([len("directory")] + [len(d) for d in table])
    print("%-*s %7s %7s" % (width, "directory", "passed", "failed"))
    for directory in sorted(table):
        row = table[directory]
        note = "  (%d skipped)" % skipped[directory] if directory in skipped else ""
        print("%-*s %7d %7d%s" % (width, directory, row["pass"], row["fail"], note))
    passed = sum(r["pass"] for r in table.values())
    failed = sum(r["fail"] for r in table.values())
    print("total: %d of %d passed, %d failed, %d skipped" % (passed, passed + failed, failed, sum(skipped.values())))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
