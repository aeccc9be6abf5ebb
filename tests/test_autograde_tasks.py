"""Every task: the reference scores full marks; realistic wrong solutions get the right trap feedback."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from grader.autograde import checks
from grader.autograde.checker import Rejected, rebuild, validate_config
from grader.autograde.tasks import tasks
from quizbank import traps

SUBMISSIONS = Path(__file__).parent / "autograde_submissions"
TASK_IDS = list(tasks())
WRONG = sorted(SUBMISSIONS.glob("*/*.py"))


def _expectation(path: Path) -> tuple[str, str]:
    m = re.match(r"# expect-(trap|failed): (.+)", path.read_text().splitlines()[0])
    assert m, f"{path} must start with '# expect-trap: ID' or '# expect-failed: CHECK NAME'"
    return m.group(1), m.group(2).strip()


def test_catalog_is_complete_and_consistent() -> None:
    assert set(TASK_IDS) >= {
        "lenet5",
        "vgg-stack",
        "resnet-bottleneck",
        "inception-module",
        "dense-block",
        "se-block",
        "mobilenet-block",
        "wavenet-stack",
        "i3d-inflate",
        "lenet-train",
    }
    for t in tasks().values():
        assert t.statement and t.starter and t.reference_path.is_file()
        assert f"def {t.function}(" in t.starter and f"def {t.function}(" in t.reference_source()
        for c in t.checks:
            assert c.kind in checks.CHECKS, f"{t.id}: unknown check kind {c.kind}"
            assert c.feedback and c.concept
            if c.trap:
                traps.get(c.trap)
        assert len(list((SUBMISSIONS / t.id).glob("*.py"))) >= 2, f"{t.id} needs two wrong solutions"


def _reference_model(task_id: str) -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"{task_id}_reference", tasks()[task_id].reference_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_model()


def test_lenet5_reference_is_the_zoo_model_layer_for_layer() -> None:
    """The sandbox holds no project code, so the lenet5 reference spells LeNet-5 out; it must stay the zoo's."""
    from models import registry

    ours, zoo = _reference_model("lenet5"), registry.get("lenet5")
    keep = ("filters", "kernel_size", "strides", "padding", "activation", "units", "pool_size", "use_bias")

    def layers(m: Any) -> list[tuple[str, dict[str, Any]]]:
        return [
            (type(layer).__name__, {k: v for k, v in layer.get_config().items() if k in keep})
            for layer in m.layers
            if type(layer).__name__ != "InputLayer"  # a Sequential model does not list its Input
        ]

    assert layers(ours) == layers(zoo)
    assert ours.count_params() == zoo.count_params() == 61_706
    assert ours.input_shape == zoo.input_shape and ours.output_shape == zoo.output_shape


def test_a_check_past_its_time_cap_is_rejected_and_the_checker_pool_recovers(tmp_path: Path) -> None:
    """Rebuilding and checking LeNet-5 takes far more than 0.05 s: the check is cut off, its worker killed, and the
    next check, with room, is graded normally on a fresh worker."""
    from grader.autograde.checker import CheckerPool

    (tmp_path / "model.json").write_text(_reference_model("lenet5").to_json())
    pool = CheckerPool(1, None, timeout=0.05)
    try:
        r = pool.check("lenet5", str(tmp_path))
        assert r.verdict == "rejected" and "longer than 0.05 s" in r.message
        assert r.checks and not any(c.passed for c in r.checks)
        pool.timeout = 600
        r = pool.check("lenet5", str(tmp_path))
        assert r.verdict == "ok", r.message
        assert all(c.passed for c in r.checks)
    finally:
        pool.close()


def test_a_submission_larger_than_a_pipe_buffer_is_handed_over_whole(autograder: Any) -> None:
    """The zygote hands the source to the prepared child over a pipe (64 KiB): a 200 KB file goes out in pieces."""
    task = tasks()["lenet5"]
    source = task.reference_source() + "\n" + "".join(f"# padding line {i:06d} {'.' * 40}\n" for i in range(3600))
    assert 180_000 < len(source.encode()) < 256 << 10
    r = autograder.grade_source(task, source, "big.py")
    assert r.verdict == "ok" and r.score == r.max_score, r.message


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_reference_scores_full_marks(autograder: Any, task_id: str) -> None:
    task = tasks()[task_id]
    r = autograder.grade_source(task, task.reference_source(), f"reference/{task_id}.py")
    assert r.verdict == "ok", r.message
    failed = [(c.name, c.message) for c in r.checks if not c.passed]
    assert not failed
    assert r.score == r.max_score == sum(c.points for c in task.checks)
    assert len(r.checks) == len(task.checks)


@pytest.mark.parametrize("path", WRONG, ids=[f"{p.parent.name}/{p.stem}" for p in WRONG])
def test_wrong_solution_gets_the_trap_feedback(autograder: Any, path: Path) -> None:
    task = tasks()[path.parent.name]
    kind, expected = _expectation(path)
    r = autograder.grade_source(task, path.read_text(), str(path))
    assert r.verdict == "ok", r.message  # it runs and exports a valid model: the checks, not the sandbox, fail it
    assert r.score < r.max_score
    failed = [c for c in r.checks if not c.passed]
    assert r.score == sum(c.points for c in r.checks if c.passed)
    if kind == "trap":
        hits = [c for c in failed if c.trap == expected]
        assert hits, f"expected trap {expected}; failed: {[(c.name, c.trap) for c in failed]}"
        spec = {c.name: c for c in task.checks}
        assert all(spec[c.name].feedback in c.message for c in hits)
    else:
        assert expected in [c.name for c in failed], [c.name for c in failed]
    for c in failed:
        assert c.points == 0 and c.message


# ---------------------------------------------------------------- the allow-list (pure, no sandbox)


def _config(layer: dict[str, Any]) -> dict[str, Any]:
    return {"class_name": "Functional", "module": "keras.src.models.functional", "config": {"layers": [layer]}}


def test_allow_list_rejects_lambda_custom_objects_and_serialized_functions() -> None:
    lam = {"class_name": "Lambda", "module": "keras.layers", "config": {"name": "l", "function": {"code": "x"}}}
    with pytest.raises(Rejected, match="Lambda"):
        validate_config(_config(lam))
    custom = {"class_name": "Evil", "module": None, "registered_name": "evil>Evil", "config": {"name": "e"}}
    with pytest.raises(Rejected, match="allow-list"):
        validate_config(_config(custom))
    disguised = {"class_name": "Dense", "module": "evil.layers", "config": {"name": "d"}}
    with pytest.raises(Rejected, match="module"):
        validate_config(_config(disguised))
    renamed = {"class_name": "Dense", "module": "keras.layers", "registered_name": "evil>Dense", "config": {}}
    with pytest.raises(Rejected, match="custom object"):
        validate_config(_config(renamed))
    fn_act = {
        "class_name": "Dense",
        "module": "keras.layers",
        "config": {"activation": {"module": "evil", "class_name": "function", "config": "evil>f"}},
    }
    with pytest.raises(Rejected):
        validate_config(_config(fn_act))


def test_rebuild_accepts_a_plain_keras_model_and_refuses_non_json() -> None:
    from models._keras import keras

    x = keras.Input((8, 8, 3))
    y = keras.layers.Conv2D(4, 3, activation="relu")(x)
    m = keras.Model(x, keras.layers.GlobalAveragePooling2D()(y))
    m.compile(optimizer="adam", loss="mse")
    rebuilt = rebuild(m.to_json())
    assert rebuilt.count_params() == m.count_params()
    assert [type(layer).__name__ for layer in rebuilt.layers] == [type(layer).__name__ for layer in m.layers]
    with pytest.raises(Rejected, match="not JSON"):
        rebuild("{not json")
    with pytest.raises(Rejected, match="not a Functional"):
        rebuild(json.dumps({"class_name": "Dense", "module": "keras.layers", "config": {}}))
