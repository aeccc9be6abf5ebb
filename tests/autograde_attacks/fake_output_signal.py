"""Attack: die of SIGXFSZ sent to itself (Python ignores it until told otherwise), as if a file had reached the size
limit (expected: runtime_error, not output_limit: no file did)."""

import os
import signal
import time


def build_model():
    with open("/tmp/small.bin", "wb") as f:
        f.write(b"x" * 1000)
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGXFSZ)
    time.sleep(5)
