"""Attack: make model.json a FIFO (and status.json a symlink to a host file) so that copying the exports out blocks
or reads outside the sandbox (expected: no_model, promptly)."""

import json
import os


def build_model():
    os.mkfifo("model.json")
    os.symlink("/etc/hostname", "arrays.npz")
    with open("status.json", "w") as f:
        json.dump({"phase": "exported"}, f)
    os._exit(0)
