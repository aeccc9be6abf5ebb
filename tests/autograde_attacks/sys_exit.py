"""Attack: exit with status 0 before exporting anything (expected: no_model)."""

import sys

sys.exit(0)


def build_model():
    raise AssertionError("never reached")
