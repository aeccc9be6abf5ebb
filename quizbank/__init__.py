"""cnnquiz's question engine: formulas, named traps, generators, validation against live Keras.

Importing this package (and ``quizbank.generators``) never imports TensorFlow or Keras.
"""

from .diagnose import Diagnosis, diagnose

__all__ = ["Diagnosis", "diagnose"]
