"""Attack: write a 10 GB file (expected: output_limit)."""


def build_model():
    chunk = b"\0" * (1 << 20)
    with open("/tmp/big.bin", "wb") as f:
        for _ in range(10 * 1024):
            f.write(chunk)
