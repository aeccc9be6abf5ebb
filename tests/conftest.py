from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import models  # noqa: F401  (silences TensorFlow before anything imports it)
from models import registry

# the grader's database fixtures: every DB test runs on SQLite and on a real PostgreSQL server
pytest_plugins = ["conftest_pg"]

# ------------------------------------------------------------------------------------------ the live zoo
#
# A test that takes ``built`` runs once per name in its module's ``NAMES`` (``Variant.slow`` names marked slow),
# unless it parametrizes ``built`` itself (``indirect=True``).  ``built`` is session-scoped and keyed by the model
# name, so pytest runs every test of one model, in test_zoo.py and in its family file, back to back: each model
# is built once per session, and only one is alive at a time (the session is cleared before the next is built).


def _zoo_params(names: Any) -> list[Any]:
    return [pytest.param(n, marks=pytest.mark.slow) if registry.variant(n).slow else n for n in names]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "built" not in metafunc.fixturenames:
        return
    for mark in metafunc.definition.iter_markers("parametrize"):
        args = mark.args[0] if mark.args else mark.kwargs["argnames"]
        if "built" in (args.replace(" ", "").split(",") if isinstance(args, str) else args):
            return
    metafunc.parametrize("built", _zoo_params(metafunc.module.NAMES), indirect=True)


@pytest.fixture(scope="session")
def built(request: pytest.FixtureRequest) -> Iterator[SimpleNamespace]:
    """``registry.get(name)`` at its declared input, with its variant and inspector summary."""
    from models import inspect
    from models._keras import keras

    name = request.param
    gc.collect()
    keras.backend.clear_session()
    model = registry.get(name)
    yield SimpleNamespace(name=name, v=registry.variant(name), model=model, s=inspect.summary(model))


# the autograder's sandbox: one warm zygote and one checker process, shared by every autograde test module
AUTOGRADE_SECRET = "s3cr3t-token-that-must-never-leak"


@pytest.fixture(scope="session")
def autograder() -> Iterator[Any]:
    from grader.autograde.grade import Autograder

    os.environ["CNNQUIZ_TEST_SECRET"] = AUTOGRADE_SECRET  # in the grading host's env before the zygote starts
    ag = Autograder(jobs=1)
    try:
        yield ag
    finally:
        ag.close()
        os.environ.pop("CNNQUIZ_TEST_SECRET", None)


# the app's pages through AppTest, and the real-browser tests (helpers in tests/support.py, imported when used)


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An empty database for the app, through the app's own cached session factory (rebuilt on it): that factory."""
    from ui.state import services

    monkeypatch.setenv("CNNQUIZ_DB_URL", f"sqlite:///{tmp_path / 'app.sqlite'}")
    services.clear()
    sf = services()
    yield sf
    sf.kw["bind"].dispose()
    services.clear()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium at desktop size (1200 × 1400), shared by a module's tests; a module that needs another
    size or options defines its own ``browser`` with :func:`tests.support.headless_chromium`."""
    from tests.support import headless_chromium

    with headless_chromium(1200, 1400) as driver:
        yield driver
