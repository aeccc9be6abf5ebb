"""Runs inside the sandbox, after seccomp, as the unprivileged runner: import the submission, call the task's
function, export *data only* (the model's JSON config, weights or kernels as ``.npz``) to the work dir.

``status.json`` is diagnostic only (a trimmed traceback, why nothing was exported): the student can forge it, so no
score is ever derived from it.  The checker, a separate process, rebuilds and checks the model from the exports.
"""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import sys
import traceback
from typing import Any

import numpy as np

from models._keras import keras

MAX_TRACEBACK = 3000


def _trimmed_traceback(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    keep: list[str] = []
    for line in lines:  # drop the harness' own frames, keep the student's
        if "grader/autograde" in line and line.lstrip().startswith("File"):
            continue
        keep.append(line)
    text = "".join(keep)
    return text if len(text) <= MAX_TRACEBACK else "…\n" + text[-MAX_TRACEBACK:]


def inflate_cases(seed: int) -> list[tuple[np.ndarray, int]]:
    """The 2D kernels handed to ``inflate`` (public: the checker regenerates them from the same seed)."""
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((3, 3, 3, 4)).astype("float32"), 3),
        (rng.standard_normal((5, 5, 2, 3)).astype("float32"), 5),
    ]


def _export(job: dict[str, Any], work: str) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("submission", f"{work}/submission.py")
    if spec is None or spec.loader is None:
        return {"phase": "no_model", "message": "the submission could not be loaded as a module"}
    module = importlib.util.module_from_spec(spec)
    sys.modules["submission"] = module
    spec.loader.exec_module(module)
    name = job["function"]
    fn = getattr(module, name, None)
    if not callable(fn):
        return {"phase": "no_model", "message": f"the submission defines no function {name}()"}
    kind = job["kind"]
    if kind == "inflate":
        arrays = {}
        for i, (w2d, t) in enumerate(inflate_cases(job["seed"])):
            arrays[f"case{i}"] = np.asarray(fn(w2d.copy(), t), dtype="float32")
        np.savez(f"{work}/arrays.npz", **arrays)
        return {"phase": "exported"}
    if kind == "train":
        data = np.load(job["train_data"], allow_pickle=False) if isinstance(job["train_data"], str) else None
        x, y = (data["x"], data["y"]) if data is not None else job["train_data"]
        model = fn(x.copy(), y.copy())
    else:
        model = fn()
    if not isinstance(model, keras.Model):
        return {"phase": "no_model", "message": f"{name}() returned {type(model).__name__}, not a keras.Model"}
    with open(f"{work}/model.json", "w") as f:
        f.write(model.to_json())
    if kind == "train":
        np.savez(f"{work}/arrays.npz", *[np.asarray(w) for w in model.get_weights()])
    return {"phase": "exported"}


def run(job: dict[str, Any]) -> None:
    work = job["work"]
    try:
        status = _export(job, work)
    except SystemExit as e:
        status = {"phase": "no_model", "message": f"the submission called sys.exit({e.code!r}) before exporting"}
    except MemoryError:
        status = {"phase": "memory", "message": "MemoryError"}
    except OSError as e:
        if e.errno in (errno.EFBIG, errno.ENOSPC, errno.EDQUOT):
            status = {"phase": "output", "message": f"{type(e).__name__}: {e}"}
        else:
            status = {"phase": "exception", "traceback": _trimmed_traceback(e)}
    except BaseException as e:
        status = {"phase": "exception", "traceback": _trimmed_traceback(e)}
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    try:
        with open(f"{work}/status.json", "w") as f:
            json.dump(status, f)
    except BaseException:
        pass
    os._exit(0)
