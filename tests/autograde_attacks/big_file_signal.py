"""Attack: restore SIGXFSZ's default action (Python ignores it), then write a 10 GB file: the kernel itself kills
the process at the file-size limit (expected: output_limit, the file at the limit is the evidence)."""

import signal


def build_model():
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    chunk = b"\0" * (1 << 20)
    with open("/tmp/big.bin", "wb") as f:
        for _ in range(10 * 1024):
            f.write(chunk)
