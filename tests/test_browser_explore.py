"""Every Explore page in a real browser (headless Chromium) against the served app, as a visitor: each renders with
no exception box and shows one number that :mod:`quizbank.formulas` or :mod:`models.inspect` computes here
independently; the convolution view plays by itself and by keyboard. Screenshots, desktop and 390 px wide, go to the
browser tests' artefact folder (``explore/``) and to ``$CNNQUIZ_SHOTS`` when it is set.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from grader import services as S
from quizbank import formulas as F
from tests.support import served, site_database
from tests.test_browser import ARTIFACTS, PHONE, _settle, _until_text, _wait, shot

SHOTS = os.environ.get("CNNQUIZ_SHOTS")
FRAME = "input[type='range'][aria-label='Frame']"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with site_database("cnnquiz-explore-data-") as (data, sf):
        S.create_user(sf, "prof", "instructor")  # past the first run: a visitor's menu
    with served(data) as base:
        yield base


def _open(b: Any, server: str, path: str, title: str, timeout: float = 240) -> None:
    """Open a page by its URL (a visitor following a link) and wait until it has rendered, with no exception."""
    from selenium.webdriver.common.by import By

    b.get(f"{server}/{path}")
    _until_text(b, title, timeout)
    _wait(b, timeout).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid='stStatusWidget']"))
    _wait(b, timeout).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid='stSpinner']"))
    _settle(b)
    assert not b.find_elements(By.CSS_SELECTOR, "[data-testid='stException']"), _main(b)


def _main(b: Any) -> str:
    from selenium.webdriver.common.by import By

    return b.find_element(By.CSS_SELECTOR, "[data-testid='stMain']").text


def _metric(b: Any, label: str) -> str:
    from selenium.webdriver.common.by import By

    for m in b.find_elements(By.CSS_SELECTOR, "[data-testid='stMetric']"):
        if m.find_element(By.CSS_SELECTOR, "[data-testid='stMetricLabel']").text.strip() == label:
            return m.find_element(By.CSS_SELECTOR, "[data-testid='stMetricValue']").text.strip()
    raise AssertionError(f"no metric {label!r} in:\n{_main(b)}")


def _shots(b: Any, name: str) -> None:
    (ARTIFACTS / "explore").mkdir(parents=True, exist_ok=True)
    for size, suffix in ((None, "desktop"), (PHONE, "390")):
        path = shot(b, f"explore/{name}-{suffix}", size=size)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(SHOTS) / path.name)


def _frame(b: Any) -> int:
    from selenium.webdriver.common.by import By

    return int(b.find_element(By.CSS_SELECTOR, FRAME).get_attribute("value"))


def _conv(b: Any, server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _open(b, server, "explore_conv?w=9&k=3&s=2", "Convolution arithmetic")
    frames = F.output_size(9, 3, 2) ** 2
    assert int(b.find_element(By.CSS_SELECTOR, FRAME).get_attribute("max")) == frames - 1
    _shots(b, "conv")
    # Play by keyboard: focus the toggle, press space; the fragment's timer steps frames while the page stays idle
    toggle = b.find_element(By.CSS_SELECTOR, "[data-testid='stCheckbox'] input[type='checkbox']")
    b.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", toggle)
    toggle.send_keys(Keys.SPACE)
    _wait(b, 30).until(lambda d: _frame(d) >= 3)
    toggle = b.find_element(By.CSS_SELECTOR, "[data-testid='stCheckbox'] input[type='checkbox']")
    b.execute_script("arguments[0].focus();", toggle)
    toggle.send_keys(Keys.SPACE)  # pause
    _settle(b)
    paused = _frame(b)
    time.sleep(1.5)
    assert _frame(b) == paused < frames - 1


def _rf(b: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _open(b, server, "explore_rf?stack=c3+c3+m2s2+c3", "Receptive field")
    r, _ = F.receptive_field([(3, 1), (3, 1), (2, 2), (3, 1)])
    assert _metric(b, "Theoretical RF") == _metric(b, "Measured RF (gradient)") == f"{r} × {r}"
    _shots(b, "rf-stack")
    # a zoo model: the heat map of the deepest layer whose RF fits in the 128-px input, measured = inspector
    from models import inspect, registry

    b.find_element(By.XPATH, "//label[.//p[normalize-space()='zoo model']]").click()
    _until_text(b, "Measured on the input", 300)
    _wait(b, 300).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid='stSpinner']"))
    _settle(b)
    rf = inspect.receptive_field(registry.get("vgg16"), "block4_pool")
    assert _metric(b, "Theoretical RF (models.inspect)") == _metric(b, "Measured RF (gradient)") == f"{rf[0]} × {rf[1]}"
    _shots(b, "rf-zoo")


def _arch(b: Any, server: str) -> None:
    from models import inspect, registry

    _open(b, server, "explore_arch?model=lenet5", "Architecture")
    assert _metric(b, "Params") == f"{inspect.summary(registry.get('lenet5')).params:,}"
    _shots(b, "arch")


def _efficiency(b: Any, server: str) -> None:
    _open(b, server, "explore_efficiency", "Efficiency across the zoo")
    assert f"{F.compound_scaling(1)['flops']:.4f}" in _main(b)
    _shots(b, "efficiency")


def _lenet(b: Any, server: str) -> None:
    _open(b, server, "explore_lenet", "Inside a small CNN", timeout=400)
    side = F.output_size(32, 5)
    # the training runs behind st.cache_resource's own spinner, which the generic waits may meet before it shows
    _until_text(b, f"block1_conv: {side}×{side}×6", 400)
    _shots(b, "lenet")


def _video_norm(b: Any, server: str) -> None:
    _open(b, server, "explore_video_norm", "Video")
    assert _metric(b, "…without ÷T") == f"{F.i3d_boring_factor(3, divide=False):.4f}"
    _shots(b, "video-norm")


def _own(b: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    from models import inspect, registry

    _open(b, server, "explore_own", "Your own model")
    model = registry.get("lenet5")
    path = ARTIFACTS / "lenet5.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(model.to_json())
    b.find_element(By.CSS_SELECTOR, "[data-testid='stFileUploader'] input[type='file']").send_keys(str(path))
    _until_text(b, "Receptive field measured on the input", 300)
    _wait(b, 300).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid='stSpinner']"))
    _settle(b)
    assert not b.find_elements(By.CSS_SELECTOR, "[data-testid='stException']")
    assert _metric(b, "Params") == f"{inspect.summary(model).params:,}"
    assert _metric(b, "Measured RF (gradient)") == _metric(b, "Theoretical RF (models.inspect)")
    _shots(b, "own")


VIEWS: dict[str, Callable[[Any, str], None]] = {
    "conv": _conv,
    "rf": _rf,
    "arch": _arch,
    "efficiency": _efficiency,
    "lenet": _lenet,
    "video_norm": _video_norm,
    "own": _own,
}


@pytest.mark.parametrize("view", list(VIEWS))
def test_explore_page_renders_its_numbers(server: str, browser: Any, view: str) -> None:
    VIEWS[view](browser, server)
