"""Attack: talk to a unix socket (expected: runtime_error)."""

import socket


def build_model():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect("/run/docker.sock")
