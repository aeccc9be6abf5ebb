"""Reference for ``lenet5``: the zoo's own LeNet-5."""

from models import registry


def build_model():
    return registry.get("lenet5")
