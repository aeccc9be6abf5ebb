"""Each Explore page run headless through Streamlit's AppTest (the page file alone: it needs no router)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quizbank import formulas as F

PAGES = Path(__file__).resolve().parent.parent / "ui" / "pages"


def _run(name: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(PAGES / name), default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def _tex(at: AppTest) -> str:
    return at.latex[0].value.strip("$\n ")


def test_conv_page_fills_the_formula_and_steps_frames() -> None:
    at = _run("explore_conv.py")
    assert at.title[0].value == "Convolution arithmetic"
    assert _tex(at).endswith(f"= {F.output_size(7, 3)}")
    at.slider(key="explore.conv.frame").set_value(5).run()
    assert not at.exception
    assert "(1, 0)" in at.caption[-1].value or any("(1, 0)" in c.value for c in at.caption)
    at.radio(key="explore.conv.mode").set_value("same").run()
    at.number_input(key="explore.conv.k").set_value(4).run()
    assert "(1|2 before/after)" in _tex(at)
    assert any("1 before and 2 after" in i.value for i in at.info)
    assert any("topic=output_size" in m.value for m in at.markdown)


def test_conv_page_plays_frame_by_frame_and_stops_at_the_last() -> None:
    at = _run("explore_conv.py", {"w": "5", "k": "3"})
    frames = F.output_size(5, 3) ** 2
    at.slider(key="explore.conv.frame").set_value(4).run()
    at.toggle(key="explore.conv.play").set_value(True).run()
    assert not at.exception, at.exception
    assert at.slider(key="explore.conv.frame").value == 5  # each run while playing (the fragment's timer) steps one
    for _ in range(frames):
        at.run()
    assert at.slider(key="explore.conv.frame").value == frames - 1
    assert at.toggle(key="explore.conv.play").value is False  # stopped by itself at the last frame
    at.toggle(key="explore.conv.play").set_value(True).run()  # playing again starts from the beginning
    assert at.slider(key="explore.conv.frame").value == 1
    at.toggle(key="explore.conv.play").set_value(False).run()  # paused: the frame stays
    at.run()
    assert at.slider(key="explore.conv.frame").value == 1


def test_conv_page_takes_a_question_numbers_from_the_url() -> None:
    at = _run("explore_conv.py", {"w": "9", "k": "3", "s": "2", "mode": "explicit P", "p": "1"})
    assert _tex(at).endswith(f"= {F.output_size(9, 3, 2, 1)}")


def test_conv_page_reports_an_impossible_setup() -> None:
    at = _run("explore_conv.py", {"w": "3", "k": "5"})
    assert at.error and "larger than the padded input" in at.error[0].value


def test_rf_page_measures_a_typed_stack_and_the_schedules() -> None:
    from quizbank import formulas as F

    at = _run("explore_rf.py", {"stack": "c3 c3 m2s2 c3"})
    r, _ = F.receptive_field([(3, 1), (3, 1), (2, 2), (3, 1)])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Measured RF (gradient)"] == metrics["Theoretical RF"] == f"{r} × {r}"
    assert metrics["Holes inside the RF"] == "0"
    assert any("topic=receptive_field" in m.value for m in at.markdown)
    at.text_input(key="explore.rf.stack").set_value("c3 rm -rf").run()
    assert at.error


def test_rf_page_shows_a_zoo_model() -> None:
    at = _run("explore_rf.py")
    at.radio(key="explore.rf.source").set_value("zoo model").run()
    assert not at.exception, at.exception
    assert any("Deepest feature map's RF: **212**" in m.value for m in at.markdown)
    # measured live on a smaller input (said on the page), at the deepest layer whose RF fits in it
    from models import inspect, registry

    assert any("Measured on a 128×128 input instead of 224×224" in c.value for c in at.caption)
    layer = at.select_slider(key="explore.rf.layer.vgg16").value
    rf = inspect.receptive_field(registry.get("vgg16"), layer)
    assert layer == "block4_pool" and rf == (100, 100)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Measured RF (gradient)"] == metrics["Theoretical RF (models.inspect)"] == "100 × 100"
    at.select_slider(key="explore.rf.layer.vgg16").set_value("block5_pool").run()
    metrics = {m.label: m.value for m in at.metric}
    assert (
        metrics["Measured RF (gradient)"] == "128 × 128" and metrics["Theoretical RF (models.inspect)"] == "212 × 212"
    )
    assert any("wider than the 128-px input" in c.value for c in at.caption)


def test_arch_page_draws_a_model_and_expands_a_block() -> None:
    at = _run("explore_arch.py", {"model": "lenet5"})
    from models import registry

    assert {m.label: m.value for m in at.metric}["Params"] == f"{registry.get('lenet5').count_params():,}"
    at = _run("explore_arch.py", {"model": "resnet50"})
    at.multiselect(key="explore.arch.expand.resnet50").set_value(["conv2_block1"]).run()
    assert not at.exception, at.exception
    assert "conv2_block1_add" in at.get("graphviz_chart")[0].proto.spec


def test_efficiency_page_runs() -> None:
    at = _run("explore_efficiency.py")
    assert at.title[0].value == "Efficiency across the zoo"
    assert "1.9203" in _tex(at)


def test_lenet_page_trains_and_checks_a_unit() -> None:
    at = _run("explore_lenet.py")
    assert at.title[0].value == "Inside a small CNN"
    tex = _tex(at)
    said, layer = tex.split(r"\tanh z = ")[1].split(r"\text{layer says }")
    assert float(said.split(r"\ ")[0]) == pytest.approx(float(layer.split(")")[0]), abs=2e-4)


def test_video_norm_page_measures_the_boring_video() -> None:
    at = _run("explore_video_norm.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Measured 3D / 2D response, with ÷T"] == "1.0000"
    assert metrics["…without ÷T"] == "3.0000"
    # the formula is two aligned lines (one ran past a phone's width), the frame count filled in
    body = _tex(at).removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}")
    first, second = body.split(r"\\")
    assert r"\frac{w_{2D}}{T}" in first and second.count(r"\sum_{t=1}^{3}") == 2
    at.slider(key="explore.vn.t").set_value(5).run()
    assert _tex(at).count(r"\sum_{t=1}^{5}") == 2 and "repeated 5 times" in " ".join(m.value for m in at.markdown)
    at.radio(key="explore.vn.kind").set_value("GroupNorm").run()
    assert any("(and 2 channels per group): **8** values" in m.value for m in at.markdown)


def test_own_model_page_explores_a_pasted_config_and_refuses_a_lambda() -> None:
    from models import registry

    at = _run("explore_own.py")
    m = registry.get("lenet5")
    at.text_area(key="explore.own.text").input(m.to_json()).run()
    assert not at.exception, at.exception
    assert {x.label: x.value for x in at.metric}["Params"] == f"{m.count_params():,}"
    at.text_area(key="explore.own.text").input(
        '{"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda"}]}}'
    ).run()
    assert at.error
