"""Attack: spin forever (expected: time_limit)."""


def build_model():
    while True:
        pass
