"""Attack: spawn a subprocess (expected: runtime_error)."""

import subprocess


def build_model():
    subprocess.run(["/bin/sh", "-c", "echo pwned"], check=True)
