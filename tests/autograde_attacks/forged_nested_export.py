"""Attack: forge a model.json nested 100,000 levels deep, so that reading it exhausts the checker's recursion limit
(expected: rejected, with the reason, not a grader error)."""

import json
import os


def build_model():
    with open("model.json", "w") as f:
        f.write('{"class_name": "Functional", "config": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with open("status.json", "w") as f:
        json.dump({"phase": "exported"}, f)
    os._exit(0)
