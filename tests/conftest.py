from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import models  # noqa: F401  (silences TensorFlow before anything imports it)
