"""Autograding of submitted Keras model code: task specs, a layered sandbox, and an out-of-process checker."""
