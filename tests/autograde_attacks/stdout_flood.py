"""Attack: print 100 MB (expected: output_limit)."""

import sys


def build_model():
    line = "y" * 1023 + "\n"
    for _ in range(100 * 1024):
        sys.stdout.write(line)
