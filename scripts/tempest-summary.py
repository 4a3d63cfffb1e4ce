#!/usr/bin/python3
"""Summary of a Tempest results file ("pass|fail|skip<TAB>test_id" lines, as scripts/tempest-glint.sh writes them).

    tempest-summary.py RESULTS                  pass/fail/skip per test module, then per group (v1, v2, plugin, all)
    tempest-summary.py --check EXPECTED RESULTS the ratchet: every test id in EXPECTED (one per line, # comments) must
                                                pass in RESULTS. Prints the listed tests that did not pass, the passing
                                                tests the list lacks, and "N passed, N failed" (the listed tests);
                                                exits 1 when a listed test did not pass.
"""
import collections
import re
import sys

GROUPS = [("tempest.api.image.v1", "tempest.api.image.v1."), ("tempest.api.image.v2", "tempest.api.image.v2."),
          ("glance_tempest_plugin", "glance_tempest_plugin."), ("all", "")]


def read_results(path):
    results = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                status, test = line.split("\t", 1)
                results[test] = status
    return results


def module_of(test):
    m = re.match(r"setUpClass \((.*)\)$", test)
    if m:
        return m.group(1).rsplit(".", 1)[0]
    return test.rsplit(".", 2)[0]


def short(module):
    if module.startswith("tempest.api.image."):
        return module[len("tempest.api.image."):]
    if module.startswith("glance_tempest_plugin.tests.rbac.v2."):
        return "plugin." + module[len("glance_tempest_plugin.tests.rbac.v2."):]
    return module


def counts(statuses):
    c = collections.Counter(statuses)
    return "%4d  %4d  %4d  %4d" % (c["pass"], c["fail"], c["skip"], len(statuses))


def summary(results):
    modules = collections.defaultdict(list)
    for test, status in results.items():
        modules[module_of(test)].append(status)
    width = max([len(short(m)) for m in modules] + [24])
    print("%-*s  pass  fail  skip  total" % (width, "module"))
    for m in sorted(modules, key=lambda m: (m.startswith("glance_tempest_plugin"), m)):
        print("%-*s  %s" % (width, short(m), counts(modules[m])))
    for name, prefix in GROUPS:
        statuses = [s for t, s in results.items() if module_of(t).startswith(prefix) or prefix == ""]
        if statuses:
            print("%-*s  %s" % (width, "= " + name, counts(statuses)))


def check(expected_path, results):
    with open(expected_path) as f:
        expected = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    missing = [t for t in expected if results.get(t) != "pass"]
    new = sorted(t for t, s in results.items() if s == "pass" and t not in set(expected))
    if missing:
        print("== RATCHET: %d listed test(s) in %s did not pass:" % (len(missing), expected_path), file=sys.stderr)
        for t in missing:
            print("   %s  %s" % (results.get(t, "absent"), t), file=sys.stderr)
    if new:
        print("== NEW PASS: %d test(s) pass but are not in %s; add them in this change "
              "(scripts/tempest-glint.sh --update-expected, run twice first):" % (len(new), expected_path),
              file=sys.stderr)
        for t in new:
            print("   + %s" % t, file=sys.stderr)
    if not missing and not new:
        print("== ratchet: all %d listed tests pass, no unlisted test passes" % len(expected), file=sys.stderr)
    print("%d passed, %d failed" % (len(expected) - len(missing), len(missing)))
    return 1 if missing else 0


def main(argv):
    if len(argv) == 4 and argv[1] == "--check":
        return check(argv[2], read_results(argv[3]))
    if len(argv) == 2:
        summary(read_results(argv[1]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
