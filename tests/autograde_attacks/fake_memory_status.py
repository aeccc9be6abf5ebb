"""Attack: write the status file a memory limit would give and leave (expected: runtime_error, not memory_limit:
status.json is the submission's to write, and no memory was used)."""

import json
import os


def build_model():
    with open("status.json", "w") as f:
        json.dump({"phase": "memory", "message": "MemoryError"}, f)
    os._exit(0)
