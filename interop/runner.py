"""Runs the interop suite: each test class in its own worker process, a few at a time (the tests spend their
time in CLI start-up and on the server, not in this process). Prints one line per test as it finishes, the
failures in full, and last a line `N passed, N failed`. Exit status 0 only when something ran and nothing failed.

    runner.py [-j JOBS] [-k PATTERN]... [-x PATTERN]... [-l]

-k selects tests whose id contains PATTERN (unittest's -k); -x then leaves out those whose id contains PATTERN.
JOBS defaults to $INTEROP_JOBS or 3. Classes start longest first, so that a long one does not start last: by their
`expected_seconds` attribute (rough seconds from one measured run; only the order matters) when they have one, else
5 s per test.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def discover(patterns, excluded=()):
    """{class id: [test ids]} and {class id: expected seconds}."""
    loader = unittest.TestLoader()
    if patterns:
        loader.testNamePatterns = ["*%s*" % p if "*" not in p else p for p in patterns]
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    classes, expected = {}, {}

    def walk(s):
        for t in s:
            if isinstance(t, unittest.TestSuite):
                walk(t)
            elif not any(x in t.id() for x in excluded):
                class_id = t.id().rsplit(".", 1)[0]
                classes.setdefault(class_id, []).append(t.id())
                expected[class_id] = getattr(type(t), "expected_seconds", None)
    walk(suite)
    return classes, {c: expected[c] or 5 * len(ids) for c, ids in classes.items()}


class _StreamingResult(unittest.TestResult):
    """Writes one JSON line per outcome to the real stdout; tests' own prints go to stderr."""

    def __init__(self, out):
        super().__init__()
        self.out = out
        self.started = {}

    def emit(self, test, outcome, detail=""):
        elapsed = time.monotonic() - self.started.get(test.id(), time.monotonic())
        self.out.write(json.dumps({"id": test.id(), "outcome": outcome, "seconds": round(elapsed, 1),
                                   "detail": detail}) + "\n")
        self.out.flush()

    def startTest(self, test):
        super().startTest(test)
        self.started[test.id()] = time.monotonic()

    def addSuccess(self, test):
        super().addSuccess(test)
        self.emit(test, "ok")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.emit(test, "FAIL", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self.emit(test, "ERROR", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.emit(test, "skip", reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.emit(test, "ok")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.emit(test, "FAIL", "unexpected success")


def child(test_ids):
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything the tests print goes to stderr, stdout carries the results only
    sys.path.insert(0, HERE)
    try:
        suite = unittest.TestLoader().loadTestsFromNames(test_ids)
    except Exception:  # noqa: BLE001 - an import error is a failure of every selected test
        for test_id in test_ids:
            out.write(json.dumps({"id": test_id, "outcome": "ERROR", "seconds": 0,
                                  "detail": traceback.format_exc()}) + "\n")
        return
    suite.run(_StreamingResult(out))
    out.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("INTEROP_JOBS", "3")))
    ap.add_argument("-k", dest="patterns", action="append", default=[])
    ap.add_argument("-x", dest="excluded", action="append", default=[])
    ap.add_argument("-l", "--list", action="store_true", help="list the selected tests and exit")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return 0

    classes, expected = discover(args.patterns, args.excluded)
    if args.list:
        for ids in classes.values():
            print("\n".join(ids))
        return 0
    total = sum(len(v) for v in classes.values())
    target = os.environ.get("OS_AUTH_URL") or "cloud " + os.environ.get("OS_CLOUD", "?")
    print("interop: %d tests in %d classes against %s (user %s), %d classes at a time"
          % (total, len(classes), target, os.environ.get("OS_USERNAME", "?"), args.jobs), flush=True)

    results, lock = [], threading.Lock()
    pending = sorted(classes.items(), key=lambda kv: -expected[kv[0]])  # longest first
    started = time.monotonic()

    def worker():
        while True:
            with lock:
                if not pending:
                    return
                class_id, ids = pending.pop(0)
            proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", *ids],
                                    stdout=subprocess.PIPE, text=True, cwd=HERE)
            mine = []
            for line in proc.stdout:
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                mine.append(r)
                with lock:
                    results.append(r)
                    print("%-5s %6.1fs  %s" % (r["outcome"], r["seconds"], r["id"]), flush=True)
            rc = proc.wait()
            reported = {r["id"] for r in mine}
            class_failed = any(r["id"].startswith(("setUpClass (", "tearDownClass (")) for r in mine)
            missing = [i for i in ids if i not in reported]
            if rc != 0 or (missing and not class_failed):
                for test_id in missing or [class_id]:
                    r = {"id": test_id, "outcome": "ERROR", "seconds": 0,
                         "detail": "the worker process for %s exited with status %d without reporting this test"
                                   % (class_id, rc)}
                    with lock:
                        results.append(r)
                        print("%-5s %6.1fs  %s" % (r["outcome"], 0, test_id), flush=True)

    threads = [threading.Thread(target=worker) for _ in range(max(1, args.jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    failed = [r for r in results if r["outcome"] in ("FAIL", "ERROR")]
    passed = sum(1 for r in results if r["outcome"] == "ok")
    skipped = [r for r in results if r["outcome"] == "skip"]
    for r in failed:
        print("\n" + "=" * 78 + "\n%s: %s\n" % (r["outcome"], r["id"]) + "-" * 78 + "\n" + r["detail"].rstrip())
    print("\ninterop: %.0f s" % (time.monotonic() - started)
          + ("; %d skipped: %s" % (len(skipped), ", ".join(r["id"] for r in skipped)) if skipped else ""))
    print("%d passed, %d failed" % (passed, len(failed)), flush=True)
    return 0 if passed and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
