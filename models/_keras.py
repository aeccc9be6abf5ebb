"""Import Keras on the TensorFlow backend, quietly."""

from __future__ import annotations

import logging
import warnings

from . import __name__ as _pkg  # noqa: F401  (sets the environment first)

warnings.filterwarnings("ignore", module="keras")
logging.getLogger("tensorflow").setLevel(logging.ERROR)
logging.getLogger("absl").setLevel(logging.ERROR)

import keras  # noqa: E402
import numpy as np  # noqa: E402

keras.utils.disable_interactive_logging()

__all__ = ["keras", "np"]
