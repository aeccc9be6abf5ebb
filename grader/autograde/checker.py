"""The checker: a separate process (never the student's) that validates the exported config against an allow-list
of built-in Keras layers, rebuilds the model from data, and runs the task's checks.

Run it in ``CheckerPool``, processes of its own: it runs TensorFlow ops, so it must not share a process with the
zygote; its processes come from a fork server of their own (a fresh interpreter that imported Keras and never ran
an op), independent of whatever the host has imported; and one process per check in flight keeps one hostile export
from failing anybody else's check.  What an export may set is bounded before anything is built (``exports``).
"""

from __future__ import annotations

import contextlib
import json
import traceback
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .contract import Verdict
from .exports import DEFAULT_BOUNDS, Bounds, Rejected, bound_model, brief, check_field, load_npz, parse_config
from .spawning import mainless_forkserver_context

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
MAX_STORED_CONFIG = 512 << 10  # a larger exported config is checked but not kept with the verdict
MAX_PARAMS = DEFAULT_BOUNDS.params
CHECKER_MEMORY = 3 << 30
CHECK_SECONDS = 120  # a wall-clock cap per check: a config built to be slow to rebuild cannot stall the batch
CHECKER_THREADS = 1
"""TensorFlow threads (intra- and inter-op) of a checker process. A check is one small model's rebuild and a few
forward and backward passes: more threads only make one grading slot ask for more than its core (TensorFlow's pools
spin while they wait), which is what several slots or workers on one machine then fight over."""


class CheckResult(BaseModel):
    name: str
    points: float
    max_points: float
    passed: bool
    message: str
    concept: str
    trap: str | None = None


class LayerReport(BaseModel):
    """One layer of the rebuilt model, as :func:`models.inspect.table` reports it."""

    name: str
    type: str
    output_shape: list[int | None]
    params: int
    trainable: int
    macs: int
    receptive_field: list[int] | None
    whole_input: bool


class ModelReport(BaseModel):
    """What the inspector measures on the model rebuilt from the exported config (never on the student's process)."""

    input_shape: list[int | None]
    output_shape: list[int | None]
    params: int
    trainable: int
    non_trainable: int
    macs: int
    receptive_field: list[int] | None
    whole_input: bool
    layers: list[LayerReport]


class CheckReport(BaseModel):
    verdict: Verdict  # ok | rejected | no_model
    message: str = ""
    checks: list[CheckResult] = []
    model: ModelReport | None = None
    exported_config: str | None = None
    """The exported ``model.json`` as the sandbox wrote it, once it rebuilt (at most :data:`MAX_STORED_CONFIG`
    bytes): the student's Explore page rebuilds it again the same way, never running their code."""


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
    text = ctx.get("exported_config")
    return CheckReport(
        verdict="ok",
        checks=results,
        model=None if model is None else model_report(model),
        exported_config=text if isinstance(text, str) and len(text.encode()) <= MAX_STORED_CONFIG else None,
    )


def model_report(model: Any) -> ModelReport | None:
    """The per-layer table and totals of a rebuilt model (``None`` if the inspector cannot trace it)."""
    from models import inspect

    try:
        s = inspect.summary(model)
    except Exception:
        return None
    return ModelReport(
        input_shape=list(s.input_shape),
        output_shape=list(s.output_shape),
        params=s.params,
        trainable=s.trainable,
        non_trainable=s.non_trainable,
        macs=s.macs,
        receptive_field=list(s.receptive_field) if s.receptive_field else None,
        whole_input=s.whole_input,
        layers=[LayerReport.model_validate(row) for row in inspect.table(s)],
    )


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
    text = path.read_text(errors="replace")
    model = rebuild(text, bounds)
    ctx["exported_config"] = text
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


# ------------------------------------------------------------------------------------------- the pool

STARTUP_SECONDS = 300  # a checker process imports TensorFlow: slow on a loaded machine, but bounded
RETRIES = 2  # a check whose process dies with no evidence against the export is run again, this many times
RECYCLE_AFTER = 200  # checks per process, then a fresh one (Keras and TensorFlow keep caches between models)
M_ARENA_MAX = -8


class CheckerDied(RuntimeError):
    """The checker processes cannot start, or fail on their own: the grader's trouble, not the submission's."""


def _worker_main(conn: Any, cg_dirs: list[str], memory_bytes: int, bounds: dict[str, Any], seed: int | None) -> None:
    """A checker process: join its own cgroup, import Keras and warm TensorFlow up, cap its address space where no
    memory cgroup holds it, then check one export at a time, as asked on ``conn``, until told to stop."""
    import ctypes
    import gc
    import os
    import resource

    cap, why = "none", ""
    for d in cg_dirs:  # first thing: everything this process allocates is charged to its own cgroup
        try:
            Path(d, "cgroup.procs").write_text(str(os.getpid()))
            cap = "cgroup"
        except OSError as e:
            cap, why = "none", f"joining {d}: {e}"
            break
    # a few malloc arenas, not one per thread: each reserves address space that RLIMIT_AS would count
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 2)
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from models._keras import keras

    from . import data

    data.use_heldout_seed(seed)  # this grading run's secret copy of the held-out digits
    import tensorflow as tf

    # before TensorFlow's first op (the fork server never ran one): one slot, one core
    tf.config.threading.set_intra_op_parallelism_threads(CHECKER_THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(CHECKER_THREADS)
    _warm_up(keras)
    gc.collect()
    gc.freeze()  # what the imports and the warm-up left stays: the collection after each check skips it
    if cap != "cgroup":
        # no memory cgroup: the address-space limit becomes the memory cap, what the warm process has mapped
        # (TensorFlow reserves much it never touches) plus the checker's memory, as the sandbox does rootless
        from .isolation import mapped_bytes

        limit = mapped_bytes() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        cap = "address space"
    conn.send(("ready", {"pid": os.getpid(), "cap": cap, "why": why}))
    b = Bounds.model_validate(bounds)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            reply: tuple[str, Any] = ("report", check_export(*job, bounds=b).model_dump(mode="json"))
        except Exception as e:
            reply = ("error", brief(e, 2000))
        # the clean-up before the reply, not after it: after, it ran beside the next submission's sandbox run, and
        # one grading slot asked for two cores
        keras.backend.clear_session()
        gc.collect()
        conn.send(reply)


def _warm_up(keras: Any) -> None:
    """What every check would otherwise pay first, and what makes TensorFlow map its thread pools and kernels
    before the address space is measured: a build, a forward pass and a gradient."""
    import numpy as np
    import tensorflow as tf

    x = keras.Input((8, 8, 1))
    m = keras.Model(x, keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(2, 3)(x))))
    v = tf.Variable(np.zeros((1, 8, 8, 1), "float32"))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(m(v))
    tape.gradient(y, v)
    m.predict(np.zeros((2, 8, 8, 1), "float32"), verbose=0)
    keras.backend.clear_session()


class _Worker:
    """One checker process, in its own cgroup where cgroups work, and the pipe to it."""

    def __init__(self, pool: CheckerPool, seq: int) -> None:
        self.cg: Any = None
        self.cap_error = ""
        self.timed_out = False
        if pool.cgroup is not None:
            from .cgroups import Cgroup

            limits = {"memory_bytes": pool.memory_bytes, "pids": 512, "cpu_cores": 1.0}
            try:
                self.cg = Cgroup.create(pool.cgroup, f"{pool.prefix}{seq}", limits)
            except OSError as e:  # then the address space caps it
                self.cap_error = f"cgroup: {e}"
        self.conn, child = pool.ctx.Pipe()
        self.proc = pool.ctx.Process(
            target=_worker_main,
            args=(child, self.cg.dirs if self.cg else [], pool.memory_bytes, pool.bounds.model_dump(), pool.seed),
            name=f"cnnquiz-checker-{seq}",
            daemon=True,
        )
        try:
            self.proc.start()
        except BaseException:
            if self.cg is not None:
                self.cg.sweep()
            raise
        finally:
            child.close()
        self.info: dict[str, Any] | None = None
        self.checks = 0

    def wait_ready(self, timeout: float) -> bool:
        if self.info is None:
            msg = self._receive(timeout)
            if msg is None or msg[0] != "ready":
                return False
            self.info = msg[1]
        return True

    def _receive(self, timeout: float) -> Any:
        """The next message, or ``None`` if the process died or ``timeout`` passed (``self.timed_out`` says which)."""
        from multiprocessing.connection import wait

        self.timed_out = False
        ready = wait([self.conn, self.proc.sentinel], timeout)
        if self.conn in ready:
            with contextlib.suppress(EOFError, OSError):
                return self.conn.recv()
            return None
        self.timed_out = not ready
        return None

    def run(self, job: tuple[str, str], timeout: float) -> Any:
        try:
            self.conn.send(job)
        except OSError:
            self.timed_out = False
            return None
        self.checks += 1
        return self._receive(timeout)

    def memory_evidence(self) -> bool:
        """Did the kernel kill this process for going over its memory cgroup's limit?"""
        return self.cg is not None and self.cg.oom_and_peak()[0]

    def stop(self, graceful: bool = False) -> None:
        if graceful and self.proc.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()
        if self.cg is not None:
            self.cg.sweep()


class CheckerPool:
    """Checker processes of our own, each checking one export at a time: what an export does to its checker (a
    memory cap reached, a crash, a time-out) fails that submission only.

    The processes are forked from a fork server that imported Keras but never ran a TensorFlow op (TensorFlow is not
    fork-safe once it has; the zygote relies on the same), so a replacement is warm in about a second.  They start
    as first needed, each in its own memory cgroup where cgroups work and under an address-space limit where they
    do not.  A process killed by its memory cgroup rejects the export it was checking; one that dies with no
    evidence against the export (killed from outside, a crash of the runtime) has the check run again on a fresh
    process, ``retries`` times, before the export is rejected; a check past ``timeout`` kills its own process only.
    """

    def __init__(
        self,
        workers: int = 1,
        cgroup: dict[str, Any] | None = None,
        timeout: float = CHECK_SECONDS,
        memory_bytes: int = CHECKER_MEMORY,
        bounds: Bounds = DEFAULT_BOUNDS,
        retries: int = RETRIES,
        seed: int | None = None,
    ) -> None:
        import os
        import queue
        import secrets
        import threading

        self.workers = workers
        self.cgroup = cgroup
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        self.bounds = bounds
        self.retries = retries
        # the held-out set's secret transform: one per pool, the same for every submission it checks
        self.seed = secrets.randbits(63) if seed is None else seed
        self.ctx = mainless_forkserver_context()  # a checker never re-runs the host's __main__ (e.g. a page)
        self.ctx.set_forkserver_preload(["models._keras", "grader.autograde.checker"])
        # this pool's own cgroups: swept by this pool only, never by another grader's sweep on the same host
        self.prefix = f"chk-{os.getpid()}-{id(self) & 0xFFFFFF:x}-"
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._live: set[_Worker] = set()
        self._count = 0  # processes alive or being started
        self._seq = 0
        self._closed = False
        self.restarts = 0  # processes replaced after dying or timing out

    @property
    def caps(self) -> list[str]:
        """How each ready process is memory-capped: ``cgroup`` or ``address space``."""
        with self._lock:
            return [w.info["cap"] for w in self._live if w.info]

    def pids(self) -> list[int]:
        with self._lock:
            return [w.proc.pid for w in self._live if w.proc.pid]

    def _spawn(self) -> _Worker:
        """Start a process in a slot the caller reserved (``_count``); starting may wait for the fork server."""
        with self._lock:
            self._seq += 1
            seq = self._seq
        try:
            w = _Worker(self, seq)
        except BaseException:
            with self._lock:
                self._count -= 1
            raise
        with self._lock:
            self._live.add(w)
        return w

    def _acquire(self) -> _Worker:
        import queue

        failures = 0
        while True:
            start = False
            with self._lock:
                if self._closed:
                    raise CheckerDied("the checker pool is closed")
                try:
                    w: _Worker | None = self._idle.get_nowait()
                except queue.Empty:
                    w, start = None, self._count < self.workers
                    self._count += start
            if start:
                w = self._spawn()
            elif w is None:
                w = self._idle.get()  # another check releases one, or a replacement arrives
            if w.info is not None and not w.proc.is_alive():  # died while idle (killed from outside): no one's fault
                self._discard(w)
                continue
            if w.wait_ready(STARTUP_SECONDS):
                return w
            self._discard(w)  # it never came up: not the export's doing
            failures += 1
            if failures > self.retries:
                raise CheckerDied(f"checker processes do not start (exit code {w.proc.exitcode})")

    def _release(self, w: _Worker) -> None:
        if w.checks >= RECYCLE_AFTER:
            self._discard(w, graceful=True)
        else:
            self._idle.put(w)

    def _discard(self, w: _Worker, graceful: bool = False) -> None:
        """Stop ``w`` and start its replacement at once (it warms up while other checks run)."""
        w.stop(graceful)
        with self._lock:
            self._live.discard(w)
            self.restarts += not graceful
            replace = not self._closed
            self._count -= not replace
        if replace:
            self._idle.put(self._spawn())

    def check(self, task_id: str, out_dir: str) -> CheckReport:
        from .tasks import get

        deaths = []
        for _ in range(1 + self.retries):
            w = self._acquire()
            msg = w.run((task_id, out_dir), self.timeout)
            if msg is not None and msg[0] == "report":
                self._release(w)
                return CheckReport.model_validate(msg[1])
            if msg is not None:  # an exception escaped the checks: the grader's own trouble; try a fresh process
                self._discard(w, graceful=True)
                deaths.append(f"error {msg[1]}")
                continue
            if w.timed_out:
                self._discard(w)
                why = f"checking this export took longer than {self.timeout:g} s: the model is far too large"
                return CheckReport(verdict="rejected", message=why, checks=_failed(get(task_id), why))
            w.proc.join(5)
            oom = w.memory_evidence()
            deaths.append(f"exit code {w.proc.exitcode}")
            self._discard(w)
            if oom:
                why = (
                    f"checking this export went over the checker's memory cap of {self.memory_bytes >> 20} MiB "
                    "(its process was killed): the model is far too large"
                )
                return CheckReport(verdict="rejected", message=why, checks=_failed(get(task_id), why))
        if all(d.startswith("error") for d in deaths):
            raise CheckerDied(f"the checker failed {len(deaths)} times: {deaths[-1]}")
        why = (
            f"checking this export killed the checker process {len(deaths)} times ({', '.join(deaths)}): the model "
            "is far too large or breaks Keras"
        )
        return CheckReport(verdict="rejected", message=why, checks=_failed(get(task_id), why))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            live = list(self._live)
            self._live.clear()
        for w in live:
            w.stop(graceful=True)
        if self.cgroup is not None:
            import time

            from .cgroups import sweep_children

            # a memory cgroup can stay busy a while after a large process died in it: be patient, here only
            deadline = time.monotonic() + 10
            while sweep_children(self.cgroup, self.prefix, kill=True) and time.monotonic() < deadline:
                time.sleep(0.1)
