"""The Explore views' logic: frames, chart data and links, checked against formulas and live Keras."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from quizbank import formulas as F
from quizbank.generators import REGISTRY, TOPICS, generate
from ui.explore import conv as C
from ui.explore import practise_url
from ui.explore.links import PAGES, params_from_query, show_me

SETUPS = [
    C.Setup(w, k, s, pad, d)
    for w, k, s, pad, d in itertools.product((5, 7, 8), (1, 2, 3), (1, 2, 3), ("valid", "same", 0, 1, 2), (1, 2))
    if F.effective_kernel(k, d) <= w
]


@pytest.mark.parametrize("setup", SETUPS, ids=str)
def test_frames_cover_every_output_and_stay_inside_the_padded_input(setup: C.Setup) -> None:
    o = F.output_size(setup.w, setup.k, setup.s, setup.padding, setup.d)
    frames = C.frame_positions(setup)
    assert len(frames) == o * o
    last = C.taps(setup, o - 1)
    assert last[-1] < setup.padded  # the last window fits the padded input
    assert C.taps(setup, 0) == [t * setup.d for t in range(setup.k)]
    # one more stride would fall off the padded input: O is the largest count that fits
    assert o * setup.s + setup.k_eff > setup.padded


@pytest.mark.parametrize("setup", SETUPS[::7], ids=str)
def test_frame_cells_mark_k_squared_taps_and_the_dilation_holes(setup: C.Setup) -> None:
    for frame in (0, len(C.frame_positions(setup)) - 1):
        cells = C.frame_cells(setup, frame)
        assert len(cells) == setup.padded**2
        kinds = [c["kind"] for c in cells]
        assert sum(k.startswith("tap") for k in kinds) == setup.k**2
        assert kinds.count("dilation hole") == setup.k_eff**2 - setup.k**2
        before = setup.pads[0]
        for c in cells:
            inside = before <= c["row"] < before + setup.w and before <= c["col"] < before + setup.w
            assert (c["input_index"] is not None) == inside
            if c["kind"] == "tap on padding":
                assert not inside
        states = [c["state"] for c in C.output_cells(setup, frame)]
        assert states.count("current") == 1 and states.count("done") == frame


def test_the_chart_is_vega_lite_with_both_grids() -> None:
    spec = C.frame_chart(C.Setup(6, 3, 2, "same", 1), 3).to_dict()
    assert len(spec["hconcat"]) == 2
    assert spec["hconcat"][0]["mark"]["type"] == "rect"
    inp = spec["hconcat"][0]["data"]["values"]
    assert {c["kind"] for c in inp} >= {"input", "zero padding", "tap on input"}


def test_same_split_is_keras_own_split() -> None:
    """``same`` equals explicit zero padding (before, after) followed by ``valid``, in live Keras, at every stride."""
    import keras

    rng = np.random.default_rng(0)
    for w, k, s, d in [(7, 4, 2, 1), (8, 3, 2, 1), (9, 2, 3, 1), (10, 3, 1, 2), (6, 6, 1, 1), (11, 5, 4, 1)]:
        setup = C.Setup(w, k, s, "same", d)
        before, after = setup.pads
        x = rng.normal(size=(1, w, w, 1)).astype("float32")
        same = keras.layers.Conv2D(1, k, strides=s, padding="same", dilation_rate=d, use_bias=False)
        y_same = np.asarray(same(x))
        valid = keras.layers.Conv2D(1, k, strides=s, padding="valid", dilation_rate=d, use_bias=False)
        valid.build((1, w + before + after, w + before + after, 1))
        valid.set_weights(same.get_weights())
        y_pad = np.asarray(valid(keras.layers.ZeroPadding2D(((before, after), (before, after)))(x)))
        assert y_same.shape[1] == setup.out
        np.testing.assert_allclose(y_same, y_pad, atol=1e-5)


def test_formula_shows_the_numbers() -> None:
    tex = C.formula_latex(C.Setup(7, 3, 2, 1, 1))
    assert r"\frac{7 - 3 + 2\cdot1}{2}" in tex and tex.endswith("= 4")
    tex = C.formula_latex(C.Setup(8, 4, 2, "same", 1))
    assert r"\frac{8}{2}" in tex and "(1|1 before/after)" in tex
    assert "(1|2 before/after)" in C.formula_latex(C.Setup(7, 4, 1, "same", 1))


def test_causal_conv1d_reach_matches_a_live_wavenet_stack() -> None:
    import keras

    from models import measure

    k, dil, length = 2, [1, 2, 4], 20
    reach = C.wavenet_reach(k, dil, length - 1)
    layers = [keras.layers.Conv1D(1, k, padding="causal", dilation_rate=d) for d in dil]
    support = measure.gradient_support(layers, (length - 1,), (length, 1))
    assert set(np.nonzero(support)[0]) == reach[0]
    assert len(reach[0]) == C.wavenet_rf(k, dil) == F.wavenet_rf(k, dil)
    assert reach[-1] == {length - 1}
    cells = C.wavenet_cells(k, dil, length)
    assert sum(c["active"] for c in cells if c["level"] == 0) == len(reach[0])


def test_causal_setup_pads_left_only() -> None:
    s = C.Setup(10, 3, 1, "causal", 2)
    assert s.pads == (4, 0) and s.out == 10


def test_show_me_maps_bank_questions_to_views_with_their_numbers() -> None:
    mapped = 0
    for gen in sorted(REGISTRY):
        for seed in range(3):
            q = generate(gen, seed, 2)
            hit = show_me(q)
            if hit is None:
                continue
            mapped += 1
            page, params = hit
            assert page in PAGES.values()
            query = {k: str(v) for k, v in params.items()}
            view = next(v for v, p in PAGES.items() if p == page)
            assert params_from_query(query, view) == params
            if view == "conv":
                setup = C.Setup(
                    params["w"], params["k"], params["s"],
                    params["p"] if params["mode"] == "explicit P" else params["mode"], params["d"],
                )  # fmt: skip
                if gen.startswith("output_size") and "layers" in q.params:
                    layer = q.params["layers"][0]
                    assert setup.out == F.output_size(q.params["w"], layer["k"], layer["s"], layer["pad"], layer["d"])
    assert mapped > 20


def test_practise_links_name_real_topics() -> None:
    for topic in ("output_size", "receptive_field", "dilation"):
        assert topic in TOPICS
        assert practise_url(topic).endswith(f"topic={topic}")


def test_query_params_drop_malformed_values() -> None:
    assert params_from_query({"w": "x7", "k": "3", "mode": "bogus", "evil": "1"}, "conv") == {"k": 3}


# ------------------------------------------------------------------ receptive field

from ui.explore import rf as R  # noqa: E402


def test_parse_stack_reads_tokens_and_refuses_garbage() -> None:
    assert R.parse_stack("c3 c3s2, m2s2 c3d2") == [
        R.Op("conv", 3), R.Op("conv", 3, 2), R.Op("max", 2, 2), R.Op("conv", 3, 1, 2)
    ]  # fmt: skip
    for bad in ("", "x3", "m2d2", "c3; import os", "c0"):
        with pytest.raises(ValueError):
            R.parse_stack(bad)


@pytest.mark.parametrize("text", ["c3 c3 c3", "c5 m2s2 c3 c3", "c7s2 m3s2 c3 c3", "c3 a2s2 c3 m2s2 c3", "c3d2 c3"])
def test_gradient_rf_equals_the_inspector_rf_without_holes(text: str) -> None:
    from models import inspect

    ops = R.parse_stack(text)
    m = R.measure(ops)
    s = inspect.summary(R.build(ops))
    assert tuple(m.measured) == s.receptive_field == (m.rf, m.rf)
    assert not m.support[: m.start].any() and not m.support[m.start + m.rf :].any()
    assert m.support[m.start : m.start + m.rf, m.start : m.start + m.rf].all()  # no holes: the whole box reaches
    rows = R.growth_rows(s)
    assert [r["rf"] for r in rows][-1] == m.rf
    assert len(rows) == len(ops)
    # per layer, the inspector agrees with the closed form on each prefix
    for i, row in enumerate(rows, 1):
        assert row["rf"] == R.theoretical(ops[:i])[0]


def test_dilation_schedules_show_their_gridding_holes_measured_live() -> None:
    for name, rates in R.SCHEDULES.items():
        row = R.schedule_row(name, rates)
        reach = F.dilated_offsets(rates, 3)
        m = R.measure(R.schedule_ops(rates))
        cells = R.support_cells(m)
        kinds = [c["kind"] for c in cells]
        # the 2D support is the product of the 1D reach: holes = rf² − reached²
        assert kinds.count("reaches the output") == len(reach) ** 2
        assert kinds.count("hole in the RF") == row["rf"] ** 2 - len(reach) ** 2
        assert row["holes (1D)"] == F.gridding_holes(rates, 3)
    assert R.schedule_row("", [2, 2, 2])["holes (1D)"] > 0 == R.schedule_row("", [1, 2, 5])["holes (1D)"]
    # three 180-px maps sit side by side: a legend of one entry a line stays as narrow as its map (6 px a character
    # beside a 16-px swatch), where the three entries in a row were wider and ran into the next schedule's
    (panel,) = R.support_chart(cells, "t", size=180).to_dict()["hconcat"]
    legend = panel["encoding"]["color"]["legend"]
    assert legend["columns"] == 1 and legend["orient"] == "bottom"
    assert all(16 + 6 * len(kind) <= 180 for kind in R.SUPPORT_COLOURS)


def test_growth_chart_is_log_scale() -> None:
    rows = [
        {"index": 1, "layer": "a", "type": "Conv2D", "rf": 3},
        {"index": 2, "layer": "b", "type": "Conv2D", "rf": 5},
    ]
    spec = R.growth_chart(rows, "t").to_dict()
    assert spec["encoding"]["y"]["scale"]["type"] == "log"
    assert spec["data"]["values"] == rows
    cov = R.coverage_chart(R.coverage_cells([2, 2, 2], 3, "2,2,2")).to_dict()
    assert [c["reached"] for c in cov["data"]["values"]] == [x % 2 == 0 for x in range(13)]


# ------------------------------------------------------------------ architecture explorer

from ui.explore import arch as A  # noqa: E402


def test_blocks_and_stages_from_layer_names() -> None:
    assert A.block_of("conv3_block2_1_conv") == "conv3_block2"
    assert A.stage_of("conv3_block2_1_conv") == "conv3"
    assert A.block_of("block2a_dwconv") == "block2a" and A.stage_of("block2a_se_reduce") == "block2"
    assert A.block_of("conv1_bn") == "conv1" and A.block_of("flatten") == "flatten"


def test_resnet50_diagram_and_stages_add_up_to_the_inspector() -> None:
    from models import inspect, registry

    m = registry.get("resnet50")
    names = [layer.name for layer in m.layers]
    dot = A.diagram(names, A.edges(m))
    # 16 bottleneck blocks in 4 stages (3, 4, 6, 3), each collapsed into one box
    assert sum(f'"conv{s}_block{b}" [' in dot for s in range(2, 6) for b in range(1, 7)) == 3 + 4 + 6 + 3
    assert '"conv2_block1" -> "conv2_block2"' in dot and "conv2_block1_1_conv" not in dot
    dot2 = A.diagram(names, A.edges(m), {"conv2_block1"})
    assert '"conv2_block1_add" -> "conv2_block1_out"' in dot2 and '"conv2_block1_out" -> "conv2_block2"' in dot2
    s = inspect.summary(m)
    rows = A.stage_rows(s)
    assert sum(r["params"] for r in rows) == s.params == m.count_params()
    assert sum(r["macs"] for r in rows) == s.macs
    assert [r["stage"] for r in rows][:6] == ["conv1", "pool1", "conv2", "conv3", "conv4", "conv5"]
    fam = {r["model"] for r in A.variants("resnet50")}
    assert {"resnet50", "resnet101", "resnet152"} <= fam


# ------------------------------------------------------------------ efficiency

from ui.explore import efficiency as E  # noqa: E402


def test_zoo_points_carry_declared_figures_and_sources() -> None:
    from models.facts import VARIANTS
    from models.facts.papers import SEED_TABLE

    pts = E.zoo_points()
    by = {p["model"]: p for p in pts}
    assert by["resnet50"]["params"] == VARIANTS["resnet50"].params.value  # type: ignore[union-attr]
    assert all(p["params_source"] and p["macs_source"] for p in pts)
    with_top1 = {p["model"] for p in pts if p["top1"] is not None}
    assert with_top1 == {s.model for s in SEED_TABLE.values()}
    spec = E.accuracy_chart(pts).to_dict()
    assert "top1_source" in str(spec["layer"][0]["encoding"]["tooltip"])


def _label_boxes(spec: dict, width: float) -> dict[str, tuple[float, float, float, float]]:
    """Each label's box in pixels on a plot ``width`` wide, from the chart's own domains, marks and data (6 px per
    character at font size 10, 13 px a line), and each dot's position."""
    import math

    dots, _, *texts = spec["layer"]
    (x0, x1), (y0, y1) = dots["encoding"]["x"]["scale"]["domain"], dots["encoding"]["y"]["scale"]["domain"]
    height = spec["height"]
    boxes = {}
    for text in texts:
        side = "right" if text["mark"]["align"] == "left" else "left"
        assert f"'{side}'" in text["transform"][0]["filter"] and text["encoding"]["y"]["field"] == "label_top1"
        for p in spec["data"]["values"]:
            if p["label_side"] != side:
                continue
            x = (math.log(p["macs"]) - math.log(x0)) / (math.log(x1) - math.log(x0)) * width + text["mark"]["dx"]
            y = (y1 - p["label_top1"]) / (y1 - y0) * height
            w = 6 * len(p["model"])
            boxes[p["model"]] = (x if side == "right" else x - w, y - 6.5, x + w if side == "right" else x, y + 6.5)
    return boxes


@pytest.mark.parametrize("width", [280, 360, 620])
def test_accuracy_chart_labels_every_dot_and_none_overlap(width: int) -> None:
    """The crowd near 5 GMACs and 77 % (ResNet-50, Inception v3, DenseNet-161) was unreadable: every label is drawn
    once, inside the plot, overlapping no other label, from a phone's plot width to a desktop's."""
    pts = [p for p in E.zoo_points() if p["top1"] is not None]
    spec = E.accuracy_chart(E.zoo_points()).to_dict()
    boxes = _label_boxes(spec, width)
    assert set(boxes) == {p["model"] for p in pts}
    for (a, ba), (b, bb) in itertools.combinations(boxes.items(), 2):
        assert not (ba[0] < bb[2] and bb[0] < ba[2] and ba[1] < bb[3] and bb[1] < ba[3]), (a, b, ba, bb)
    assert all(0 <= b[0] and b[2] <= width and 0 <= b[1] and b[3] <= spec["height"] for b in boxes.values())
    # a label moved off its dot's height is joined to it by a rule, from the dot's top-1 to the label's
    leaders = spec["layer"][1]
    assert leaders["mark"]["type"] == "rule" and leaders["encoding"]["y2"]["field"] == "label_top1"
    moved = [p for p in spec["data"]["values"] if p["label_top1"] != p["top1"]]
    assert len(moved) <= 2 and all(abs(p["label_top1"] - p["top1"]) < 4 for p in moved)
    assert all(y0 <= p["top1"] <= y1 for p in pts for y0, y1 in [spec["layer"][0]["encoding"]["y"]["scale"]["domain"]])


def test_efficientnet_rows_follow_the_rule_and_the_facts() -> None:
    rows = E.efficientnet_rows()
    assert [r["model"] for r in rows] == [f"B{i}" for i in range(8)]
    assert rows[0]["rule"] == rows[0]["macs_ratio"] == 1.0
    assert rows[1]["rule"] == pytest.approx(1.2 * 1.1**2 * 1.15**2, abs=1e-3)
    assert all(b["macs"] > a["macs"] for a, b in itertools.pairwise(rows))
    assert "1.9203" in E.rule_latex()
    spec = E.efficientnet_chart(rows).to_dict()
    assert len(spec["data"]["values"]) == 24 and spec["encoding"]["y"]["scale"]["type"] == "log"
    assert spec["encoding"]["color"]["legend"]["columns"] == 1  # three long series names, one a line on a phone
    assert all(6 * len(line) <= 300 for line in spec["title"])  # no title line wider than a phone's plot


# ------------------------------------------------------------------ inside LeNet-5

from ui.explore import lenet as L  # noqa: E402


@pytest.fixture(scope="module")
def trained() -> L.Trained:
    return L.train(epochs=2)


def test_digits_are_padded_to_32_and_never_downloaded() -> None:
    x, y = L.digits()
    assert x.shape == (1797, 32, 32, 1) and set(y) == set(range(10))
    assert x[:, :4].max() == 0 and x[:, -4:].max() == 0 and 0 <= x.min() and x.max() == 1


def test_lenet_learns_and_a_unit_is_its_kernel_times_its_patch(trained: L.Trained) -> None:
    assert trained.accuracy > 0.8  # chance is 0.1
    img = trained.x_test[0]
    acts = L.activations(trained.model, img)
    assert acts["block1_conv"].shape == (28, 28, 6) and acts["block2_pool"].shape == (5, 5, 16)
    for layer, ch, r, c in [("block1_conv", 3, 12, 9), ("block2_conv", 7, 4, 5)]:
        u = L.unit(trained.model, img, layer, ch, r, c)
        assert u.activation == pytest.approx(u.model_value, abs=1e-5)
        assert u.model_value == pytest.approx(float(acts[layer][r, c, ch]), abs=1e-6)
    img_tiles = L.tile(acts["block1_conv"], scale=2, gap=1)
    assert img_tiles.shape == (56, 6 * 57 - 1) and img_tiles.dtype == np.uint8
    a0 = acts["block1_conv"][..., 0]
    assert img_tiles[2 * int(np.argmax(a0) // 28), 2 * int(np.argmax(a0) % 28)] == 255  # each map's maximum is white


def test_shift_moves_the_maps_exactly_and_rotation_is_not_a_shift(trained: L.Trained) -> None:
    img = trained.x_test[1]
    assert L.map_shift(trained.model, img, 4, 2, "block1_conv") == ((4, 2), pytest.approx(0, abs=1e-5))
    assert L.map_shift(trained.model, img, 4, 2, "block1_pool") == ((2, 1), pytest.approx(0, abs=1e-5))
    assert L.map_shift(trained.model, img, 4, 0, "block2_pool") == ((1, 0), pytest.approx(0, abs=1e-5))
    assert L.map_shift(trained.model, img, 2, 0, "block2_pool")[0] is None  # stride 4 does not divide 2
    a = L.activations(trained.model, img)["block1_conv"]
    b = L.activations(trained.model, L.rotated(img))["block1_conv"]
    assert np.max(np.abs(np.rot90(a, 1, axes=(0, 1)) - b)) > 0.01  # rotated maps are not the maps rotated


# ------------------------------------------------------------------ video and normalisation

from ui.explore import video_norm as V  # noqa: E402


@pytest.mark.parametrize("t", [1, 2, 5])
def test_inflation_keeps_a_boring_video_response_measured_live(t: int) -> None:
    inf = V.inflation(t)
    assert inf.kernel_3d.shape == (t, 3, 3, 1, 1)
    np.testing.assert_allclose(inf.kernel_3d.sum(axis=0), inf.kernel_2d, rtol=1e-6)
    assert inf.ratio == pytest.approx(F.i3d_boring_factor(t), rel=1e-4)
    assert inf.ratio_without_division == pytest.approx(t, rel=1e-4)


def test_norm_sets_match_the_axes_and_count_the_values() -> None:
    n, h, w, c, g = 2, 3, 2, 4, 2
    for kind in V.KINDS:
        cells = V.norm_cells(kind, n, h, w, c, g)
        assert len(cells) == n * h * w * c
        nums = V.norm_numbers(kind, n, h, w, c, g)
        assert sum(x["shared"] for x in cells) == nums["values per statistic"]
        assert nums["values per statistic"] * nums["statistics"] == n * h * w * c
    shared = {(x["sample"], x["channel"]) for x in V.norm_cells("BatchNorm", n, h, w, c) if x["shared"]}
    assert shared == {(0, 0), (1, 0)}  # every sample, one channel
    shared = {(x["sample"], x["channel"]) for x in V.norm_cells("GroupNorm", n, h, w, c, g) if x["shared"]}
    assert shared == {(0, 0), (0, 1)}  # one sample, the first group's channels
    assert V.norm_numbers("LayerNorm (Keras default axis=-1)", n, h, w, c)["values per statistic"] == c
    spec = V.norm_chart(V.norm_cells("InstanceNorm", n, h, w, c), ["t", "u"]).to_dict()
    assert sum(x["shared"] for x in spec["data"]["values"]) == h * w
    assert spec["title"] == ["t", "u"]  # a title in lines, not one line wider than a phone


def test_kernel_chart_wraps_frames_three_to_a_row() -> None:
    spec = V.kernel_chart(V.inflate(np.ones((3, 3, 1, 1), "float32"), 7), "t").to_dict()
    assert spec["columns"] == 3 and spec["facet"]["field"] == "frame"
    assert len({c["frame"] for c in spec["data"]["values"]}) == 7
    assert 3 * spec["spec"]["width"] <= 320  # three panels and their gaps inside a phone's 358-px column


# ------------------------------------------------------------------ your own model

from ui.explore import own as O  # noqa: E402


def test_own_model_is_rebuilt_from_its_config_the_checker_way() -> None:
    import json

    from grader.autograde.checker import Rejected
    from models import inspect, registry

    m = registry.get("lenet5")
    ex = O.explore_config(m.to_json())
    assert ex.summary.params == m.count_params() == inspect.summary(m).params
    assert ex.summary.receptive_field == inspect.summary(m).receptive_field
    assert '"block1" -> "block2"' in ex.dot
    assert [r["rf"] for r in ex.growth][-1] == ex.summary.receptive_field[0]
    cfg = json.loads(m.to_json())
    cfg["config"]["layers"][1]["class_name"] = "Lambda"
    with pytest.raises(Rejected):
        O.explore_config(json.dumps(cfg))
    with pytest.raises(Rejected):
        O.explore_config("not json")
    # its 2D feature maps can be measured: LeNet's input is a fixed 32×32 image
    assert [n for n, _, _ in ex.rf_layers][-1] == "block2_pool"


# ------------------------------------------------------------------ gradient RF of whole models


@pytest.mark.parametrize("text", ["c3 c3 m2s2 c3", "c3d2 c3d2 c3d2", "c3 c3d2 c3d4", "c5s2 a3s2 c3"])
def test_gradient_map_reaches_exactly_where_the_gradient_support_does(text: str) -> None:
    from models import measure as M

    model = R.build(R.parse_stack(text))
    grad = M.gradient_map(model)
    assert grad.dtype == np.float64 and np.isfinite(grad).all()
    np.testing.assert_array_equal(grad > 0, M.gradient_support(model))


def test_gradient_rf_of_zoo_stacks_equals_the_inspector_rf() -> None:
    """VGG-16 (hole-free 3×3 convs and 2×2 pools) and LeNet-5: at every layer whose RF fits inside the input, the
    centre unit's non-zero gradient spans exactly the inspector's RF, inside the box the page draws."""
    from models import inspect

    for name, picks in (("vgg16", ("block2_pool", "block3_conv3", "block4_pool")), ("lenet5", ("block2_pool",))):
        model, note = R.zoo_rf_model(name)
        side = int(model.input_shape[1])
        assert side == min(R.ZOO_SIDE, 224 if name == "vgg16" else 32) and f"{side}×{side}" in note
        layers = {
            n: (r, whole) for n, r, whole in R.spatial_layers(inspect.summary(model), [x.name for x in model.layers])
        }
        for layer in picks:
            rf, whole = layers[layer]
            assert not whole and rf == inspect.receptive_field(model, layer)[0] < side
            m = R.layer_map(model, layer, rf)
            assert m.measured == [rf, rf] and not m.clipped
            r0, c0, r1, c1 = m.box
            support = m.grad > 0
            assert (r1 - r0, c1 - c0) == (rf, rf) and support[r0:r1, c0:c1].all() and support.sum() == rf * rf
    # vgg16's deepest map (RF 212) is wider than the 128-px input: measured up to its edges, and said so
    assert R.layer_map(model_vgg := R.zoo_rf_model("vgg16")[0], "block5_pool", 212).clipped
    assert model_vgg.input_shape[1:3] == (R.ZOO_SIDE, R.ZOO_SIDE)


def test_gated_models_are_measured_without_overflow_and_flagged_as_seeing_everything() -> None:
    from models import inspect, registry
    from models import measure as M

    model = registry.get("efficientnet_b0", include_top=False, input_shape=(64, 64, 3))
    layers = R.spatial_layers(inspect.summary(model), [x.name for x in model.layers])
    name = next(n for n, _, whole in layers if whole)  # after the first squeeze-and-excitation gate
    grad = M.gradient_map(keras_cut(model, name))
    assert np.isfinite(grad).all() and (grad > 0).all()  # the gate's global pool reaches every input pixel
    assert not M.gradient_support(keras_cut(model, layers[0][0])).all()  # the stem conv does not


def keras_cut(model: object, layer: str) -> object:
    from models._keras import keras

    return keras.Model(model.inputs, model.get_layer(layer).output)  # type: ignore[attr-defined]


def test_map_chart_is_a_binned_heat_map_with_the_theoretical_box() -> None:
    grad = np.zeros((130, 130))
    grad[10:50, 20:60] = 1.0
    grad[30, 40] = 100.0
    m = R.LayerMap("x", (130, 130), grad, 40, [40, 40], (10, 20, 50, 60))
    cells = R.map_cells(m)
    size = cells[0]["size"]
    assert size == 3 and len(cells) == 44 * 44  # ⌈130 / 64⌉-px bins
    by_pos = {(c["row"], c["col"]): c["share"] for c in cells}
    assert by_pos[(30, 39)] == 0.0 and by_pos[(12, 21)] == -2.0 and by_pos[(60, 60)] is None
    spec = R.map_chart(m, "t").to_dict()
    (panel,) = spec["hconcat"]
    heat, box = panel["layer"]
    assert heat["mark"]["type"] == "rect" and heat["encoding"]["color"]["field"] == "share"
    assert box["data"]["values"] == [{"row": 10, "col": 20, "row2": 50, "col2": 60, "what": "theoretical RF 40"}]
    assert heat["encoding"]["y"]["scale"]["reverse"] is True
    # the legend's title fits Vega's default title limit (180 px, ~6 px a character): a longer one was cut ("…")
    legend = heat["encoding"]["color"]["legend"]
    assert 6 * len(legend["title"]) <= 180 and "titleLimit" not in legend
