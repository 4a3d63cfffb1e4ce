"""Metadata definitions with the `glance md-*` commands of python3-glanceclient (admin credentials).

glanceclient validates what it sends against GET /v2/schemas/metadefs/*, and `md-namespace-update` GETs the
namespace and PUTs it back whole (nested objects and associations with their timestamps).
"""
from common import InteropCase, glance, parse_table, unique


def column(output, name):
    """One column of a glanceclient list table."""
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in output.splitlines() if line.startswith("|")]
    if not rows:
        return []
    index = rows[0].index(name)
    return [r[index] for r in rows[1:]]


class MetadefsTest(InteropCase):
    expected_seconds = 100  # for the runner's order (runner.py)

    def test_namespace_with_contents_protection_and_prefix(self):
        ns = unique("interop-ns")
        self.addCleanup(lambda: (glance("md-namespace-update", ns, "--protected", "False", check=False),
                                 glance("md-namespace-delete", ns, check=False)))

        created = parse_table(glance("md-namespace-create", ns, "--visibility", "public", "--protected", "True",
                                     "--description", "interop").stdout)
        self.assertEqual(("public", "True"), (created["visibility"], created["protected"]))
        glance("md-resource-type-associate", ns, "--name", "OS::Glance::Image", "--prefix", "hw_")
        glance("md-property-create", ns, "--name", "cpus", "--title", "CPUs", "--schema",
               '{"type": "integer", "minimum": 1}')
        glance("md-object-create", ns, "--name", "limits", "--schema",
               '{"description": "d", "properties": {"max": {"title": "Max", "type": "integer"}}}')
        glance("md-tag-create-multiple", ns, "--names", "a,b")

        shown = parse_table(glance("md-namespace-show", ns, "--resource-type", "OS::Glance::Image").stdout)
        self.assertEqual('["hw_cpus"]', shown["properties"])
        self.assertEqual('["limits"]', shown["objects"])

        refused = glance("md-namespace-delete", ns, check=False)
        self.assertNotEqual(0, refused.returncode)
        self.assertIn("protected", refused.stdout + refused.stderr)

        updated = parse_table(glance("md-namespace-update", ns, "--protected", "False").stdout)
        self.assertEqual("False", updated["protected"])
        self.assertEqual("CPU count", parse_table(glance("md-property-update", ns, "cpus", "--title",
                                                         "CPU count").stdout)["title"])
        glance("md-tag-update", ns, "a", "--name", "c")
        self.assertEqual(["b", "c"], sorted(column(glance("md-tag-list", ns).stdout, "name")))
        glance("md-resource-type-deassociate", ns, "OS::Glance::Image")

        glance("md-namespace-delete", ns)
        self.assertNotEqual(0, glance("md-namespace-show", ns, check=False).returncode)
