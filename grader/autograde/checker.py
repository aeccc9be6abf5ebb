"""The checker: a separate process (never the student's) that validates the exported config against an allow-list
of built-in Keras layers, rebuilds the model from data, and runs the task's checks.

Run it in a spawn-based pool (``CheckerPool``): it runs TensorFlow ops, so it must not share a process with the
zygote, and spawn keeps it independent of whatever the host has imported.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .exports import DEFAULT_BOUNDS, Bounds, Rejected, bound_model, brief, check_field, load_npz, parse_config

__all__ = ["Bounds", "CheckReport", "CheckResult", "CheckerPool", "Rejected", "check_export", "rebuild"]

ALLOWED_LAYERS = frozenset(
    {
        "InputLayer", "Functional", "Sequential", "Model",
        "Conv1D", "Conv2D", "Conv3D", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D",
        "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
        "Dense", "EinsumDense", "Embedding", "Flatten", "Reshape", "Permute", "RepeatVector", "Cropping1D",
        "Cropping2D", "Cropping3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "UpSampling1D", "UpSampling2D",
        "UpSampling3D",
        "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
        "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPooling1D",
        "GlobalMaxPooling2D", "GlobalMaxPooling3D",
        "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization",
        "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax",
        "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout",
        "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
        "Identity", "MultiHeadAttention",
    }
)  # fmt: skip
# the serialisable objects a built-in layer's config may contain
ALLOWED_OBJECTS = frozenset(
    {
        "__keras_tensor__", "DTypePolicy", "FloatDTypePolicy", "__tuple__",
        "GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal", "LecunUniform", "Zeros", "Ones",
        "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal", "Orthogonal", "VarianceScaling", "Identity",
        "L1", "L2", "L1L2", "OrthogonalRegularizer", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm",
    }
)  # fmt: skip
ALLOWED_MODULES = frozenset(
    {
        None, "keras", "keras.layers", "keras.models", "keras.initializers", "keras.regularizers",
        "keras.constraints", "keras.src.models.functional", "keras.src.models.sequential", "keras.src.models.model",
        "keras.src.backend.common.keras_tensor",
    }
)  # fmt: skip
MAX_CONFIG_BYTES = DEFAULT_BOUNDS.config_bytes
MAX_PARAMS = DEFAULT_BOUNDS.params
CHECKER_MEMORY = 3 << 30
CHECK_SECONDS = 120  # a wall-clock cap per check: a config built to be slow to rebuild cannot stall the batch


class CheckResult(BaseModel):
    name: str
    points: float
    max_points: float
    passed: bool
    message: str
    concept: str
    trap: str | None = None


class CheckReport(BaseModel):
    verdict: str  # ok | rejected | no_model
    message: str = ""
    checks: list[CheckResult] = []


def validate_config(config: Any, path: str = "model") -> None:
    """Walk the whole config: every ``class_name`` and ``module`` must be allowed; ``Lambda`` and custom objects are
    refused with a clear message."""
    if isinstance(config, dict):
        cn = config.get("class_name")
        if cn is not None:
            if cn == "Lambda":
                raise Rejected(
                    f"{path}: Lambda layers are not accepted (they carry arbitrary code); use built-in layers"
                )
            if cn not in ALLOWED_LAYERS and cn not in ALLOWED_OBJECTS:
                raise Rejected(
                    f"{path}: {cn!r} is not a built-in Keras layer on the allow-list "
                    "(custom layers, functions and objects are not accepted)"
                )
            module = config.get("module")
            if module not in ALLOWED_MODULES:
                raise Rejected(f"{path}: {cn!r} comes from module {module!r}, not from Keras itself")
            reg = config.get("registered_name")
            if reg is not None and reg != cn:
                raise Rejected(f"{path}: {cn!r} is registered as custom object {reg!r}")
        for k, v in config.items():
            check_field(k, v, path)
            if k == "function" or (k == "activation" and isinstance(v, dict)):
                raise Rejected(f"{path}.{k}: serialized functions are not accepted; use a built-in activation name")
            validate_config(v, f"{path}.{k}" if k != "config" else path)
    elif isinstance(config, list):
        for i, v in enumerate(config):
            validate_config(v, f"{path}[{i}]")


def rebuild(text: str, bounds: Bounds = DEFAULT_BOUNDS) -> Any:
    """The model of an exported config: parsed and bounded (``exports``), validated against the allow-list, built
    once on symbolic tensors to bound every weight and output, and only then built for real."""
    from models._keras import keras

    config = parse_config(text, bounds)
    if isinstance(config, dict):
        config.pop("compile_config", None)  # the optimizer and loss are never used by the checks
    validate_config(config)
    if not isinstance(config, dict) or config.get("class_name") not in ("Functional", "Sequential", "Model"):
        raise Rejected("the export is not a Functional or Sequential model")
    bound_model(config, bounds)
    try:
        with keras.saving.custom_object_scope({}):
            model = keras.models.model_from_json(json.dumps(config))
    except Exception as e:
        raise Rejected(f"Keras could not rebuild the model from its config: {brief(e)}") from None
    n = model.count_params()
    if n > bounds.params:
        raise Rejected(f"the model has {n:,} parameters; at most {bounds.params:,} are accepted")
    return model


def check_export(task_id: str, out_dir: str, bounds: Bounds = DEFAULT_BOUNDS) -> CheckReport:
    """Entry point of a checker process.  Whatever reading the export provokes (a bound, a malformed file, a
    nesting that exhausts the recursion limit, an allocation that fails) rejects it, with the reason."""
    from . import checks as C
    from .tasks import get

    task = get(task_id)
    try:
        loaded = _load_export(task, Path(out_dir), bounds)
    except Rejected as e:
        return CheckReport(verdict="rejected", message=str(e), checks=_failed(task, f"rejected: {e}"))
    except Exception as e:  # provoked by the export: its fault, never the grader's
        why = f"the export could not be read: {brief(e)}"
        return CheckReport(verdict="rejected", message=why, checks=_failed(task, f"rejected: {why}"))
    if loaded is None:
        return CheckReport(verdict="no_model", message="no model.json was exported")
    model, ctx = loaded
    results = []
    for spec in task.checks:
        try:
            ok, detail = C.CHECKS[spec.kind](model, spec.params, ctx)
        except Exception as e:
            ok, detail = False, f"the check could not run on this model: {type(e).__name__}: {e}"
            if spec.kind not in C.CHECKS:
                detail = "internal: " + traceback.format_exc(limit=2)
        msg = detail if ok else f"{detail}. {spec.feedback}"
        results.append(
            CheckResult(
                name=spec.name,
                points=spec.points if ok else 0.0,
                max_points=spec.points,
                passed=ok,
                message=msg,
                concept=spec.concept,
                trap=None if ok else spec.trap,
            )
        )
    return CheckReport(verdict="ok", checks=results)


def _load_export(task: Any, out: Path, bounds: Bounds) -> tuple[Any, dict[str, Any]] | None:
    """The rebuilt model (``None`` for an inflate task) and the checks' context; ``None`` if nothing was exported."""
    import numpy as np

    from .harness import inflate_cases

    ctx: dict[str, Any] = {}
    if task.kind == "inflate":
        arrays = load_npz(out / "arrays.npz", bounds) if (out / "arrays.npz").exists() else {}
        cases = []
        for i, (w2, t) in enumerate(inflate_cases(0)):
            a = arrays.get(f"case{i}")
            cases.append((w2, t, None if a is None else np.asarray(a, dtype="float32")))
        ctx["inflate_cases"] = cases
        return None, ctx
    path = out / "model.json"
    if not path.exists():
        return None
    model = rebuild(path.read_text(errors="replace"), bounds)
    if task.kind == "train":
        if not (out / "arrays.npz").exists():
            raise Rejected("the trained weights (arrays.npz) were not exported")
        arrays = load_npz(out / "arrays.npz", bounds)
        try:
            weights = [arrays[f"arr_{i}"] for i in range(len(arrays))]
        except KeyError as e:
            raise Rejected(f"the exported weights are not arr_0 … arr_{len(arrays) - 1}: {e} is missing") from None
        try:
            model.set_weights(weights)
        except Exception as e:
            raise Rejected(f"the exported weights do not fit the model: {brief(e)}") from None
    return model, ctx


def _failed(task: Any, why: str) -> list[CheckResult]:
    return [
        CheckResult(name=s.name, points=0, max_points=s.points, passed=False, message=why, concept=s.concept)
        for s in task.checks
    ]


def _worker_init(cgroup: dict[str, Any] | None) -> None:
    """Import Keras once per worker and, where cgroups work, cap the worker's memory: a forged config that slips
    past the size caps kills a checker worker (and is reported), never the host."""
    import os

    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if cgroup is not None:
        from .cgroups import Cgroup

        limits = {"memory_bytes": CHECKER_MEMORY, "pids": 512, "cpu_cores": 1.0}
        try:
            cg = Cgroup.create(cgroup, f"checker-{os.getpid()}", limits)
            for d in cg.dirs:
                Path(d, "cgroup.procs").write_text(str(os.getpid()))
        except OSError:
            pass  # reported by CheckerPool.memory_capped
    import models._keras  # noqa: F401


class CheckerPool:
    """A warm, spawn-based pool of checker processes (each in its own memory cgroup where cgroups work)."""

    def __init__(self, workers: int = 1, cgroup: dict[str, Any] | None = None, timeout: float = CHECK_SECONDS) -> None:
        self.workers = workers
        self.cgroup = cgroup
        self.timeout = timeout
        self._pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(self.cgroup,),
        )

    def check(self, task_id: str, out_dir: str) -> CheckReport:
        from .tasks import get

        try:
            return self._pool.submit(check_export, task_id, out_dir).result(timeout=self.timeout)
        except BrokenProcessPool:
            why = "checking this export killed the checker process (memory cap): the model is far too large"
        except TimeoutError:
            why = f"checking this export took longer than {self.timeout:g} s: the model is far too large"
        self._restart()
        return CheckReport(verdict="rejected", message=why, checks=_failed(get(task_id), why))

    def _restart(self) -> None:
        """Kill the workers (one may be stuck on a hostile export; the others are cheap to replace) and start anew."""
        for proc in list(getattr(self._pool, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                proc.kill()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self.cgroup is not None:
            from .cgroups import sweep_children

            sweep_children(self.cgroup, "checker-")
