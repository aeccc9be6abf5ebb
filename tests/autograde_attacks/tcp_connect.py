"""Attack: open a TCP connection to a listener on the host's loopback (expected: runtime_error, nothing connects).

The port is read from a file the test writes next to this one; inside the sandbox that file is not even visible, so
the attack also tries the port given in its source (rewritten by the test)."""

import socket

PORT = 0


def build_model():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=2)
    s.sendall(b"stolen")
