"""Attack: fork until the machine dies (expected: runtime_error, fork is denied)."""

import os


def build_model():
    while True:
        os.fork()
