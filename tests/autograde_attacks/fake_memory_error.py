"""Attack: raise MemoryError without allocating anything (expected: runtime_error, not memory_limit)."""


def build_model():
    raise MemoryError("pretend the memory limit was reached")
