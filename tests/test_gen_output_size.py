"""Output-size generators: explicit P, Keras 'same'/'valid', stride, dilation, the ResNet-50 stem, 'same' split."""

from __future__ import annotations

import itertools

import pytest

from quizbank import diagnose
from quizbank import formulas as F
from quizbank import traps as T
from quizbank.generators import generate
from quizbank.generators import output_size as O
from quizbank.schema import MultipleChoiceQuestion, NumericQuestion, ShapeQuestion


def test_concepts_worked_examples() -> None:
    # concepts.md §5: ResNet-50's conv1, then its 3×3/2 max-pool
    assert F.output_size(224, 7, 2, 3) == 112
    assert F.output_size(112, 3, 2, "same") == 56
    assert F.output_size(112, 3, 2, "valid") == 55
    stem = [O._conv(7, 2, 3, f=64), O._pool("max", 3, 2, "same")]
    assert O._key(stem, 224) == 56
    assert O._key([O._conv(7, 2, 3, f=64), O._pool("max", 3, 2, "valid")], 224) == 55
    assert O._key([O._conv(7, 2, 3, f=64), O._pool("max", 3, 2, 1)], 224) == 56  # Keras ResNet50: ZeroPadding2D(1)
    # 'same' is ceil(W/S) whatever K; TF pads asymmetrically, the extra at the end
    assert F.output_size(227, 7, 2, "same") == 114
    assert F.same_pad_total(224, 7, 2) == (2, 3)  # not PyTorch's 3 + 3
    assert F.same_pad_total(10, 4, 1) == (1, 2)
    assert F.same_pad_total(28, 3, 2) == (0, 1)
    # dilation: K_eff = d(K-1)+1
    assert F.output_size(32, 3, 1, "valid", 2) == 28
    assert F.output_size(32, 3, 1, 2, 2) == 32


def test_trap_values_by_hand() -> None:
    # 224, 7×7, S=2, P=3: floor forgotten → 112.5; padding once → 111; no padding → 109; stride ignored → 224
    conv1 = O._conv(7, 2, 3)
    assert O._side(conv1, 224, "forgot_floor") == 112.5
    assert O._side(conv1, 224, "padding_once") == 111
    assert O._side(conv1, 224, "padding_ignored") == 109
    assert O._side(conv1, 224, "output_ignored_stride") == 224
    assert O._side(conv1, 224, "output_forgot_plus_one") == 111
    pool = O._pool("max", 3, 2, "same")
    assert O._side(pool, 112, "same_as_valid") == 55
    assert O._side(O._pool("max", 3, 2, "same"), 113, "same_floor_not_ceil") == 56
    assert O._side(O._pool("max", 2), 28, "pool_default_stride_1") == 27
    dil = O._conv(3, 1, "valid", 2)
    assert O._side(dil, 32, "ignored_dilation") == 30
    assert O._side(dil, 32, "dilation_as_k_times_d") == 27


def test_fast_arithmetic_matches_formulas_and_trap_functions() -> None:
    """The hot-path arithmetic in the module equals formulas.output_size and the trap functions of quizbank.traps."""
    for w, k, s, d, pad in itertools.product(
        (7, 16, 31, 224), (1, 2, 3, 4, 7), (1, 2, 3), (1, 2, 3), ("same", "valid", 0, 1, 3)
    ):
        if s > 1 and d > 1:
            continue
        lay = O._conv(k, s, pad, d)
        try:
            ref = F.output_size(w, k, s, pad, d)
        except ValueError:
            assert O._side(lay, w) is None
            continue
        assert O._side(lay, w) == ref
        p = 0 if pad == "valid" else pad
        if pad != "same":
            assert O._side(lay, w, "forgot_floor") == pytest.approx(T.output_forgot_floor(w, k, s, p, d))
            if w + p >= F.effective_kernel(k, d):
                assert O._side(lay, w, "padding_once") == T.output_padding_once(w, k, s, p, d)
        if isinstance(pad, str):
            try:
                assert O._side(lay, w, "same_as_valid") == T.output_same_as_valid(w, k, s, pad, d)
            except ValueError:
                assert O._side(lay, w, "same_as_valid") is None
        if d > 1:
            for trap, fn in (
                ("ignored_dilation", T.output_ignored_dilation),
                ("dilation_as_k_times_d", T.output_dilation_as_kd),
            ):
                try:
                    assert O._side(lay, w, trap) == fn(w, k, s, pad, d)
                except ValueError:
                    assert O._side(lay, w, trap) is None
        if s > 1:
            try:
                assert O._side(lay, w, "output_ignored_stride") == T.output_ignored_stride(w, k, s, pad, d)
            except ValueError:
                assert O._side(lay, w, "output_ignored_stride") is None
        if pad == "same":
            assert O._side(lay, w, "same_floor_not_ceil") == T.same_floor_not_ceil(w, s)
        elif w + 2 * p >= F.effective_kernel(k, d):
            assert O._side(lay, w, "output_forgot_plus_one") == T.output_forgot_plus_one(w, k, s, p, d)
            if p and w >= F.effective_kernel(k, d):
                assert O._side(lay, w, "padding_ignored") == T.padding_ignored(w, k, s, p, d)
        if d == 1 and (pad != "valid" or w >= k):
            pool = O._pool("max", k, None, pad)
            assert O._side(pool, w, "pool_default_stride_1") == T.pool_default_stride_1(w, k, pad)


def test_keys_follow_the_formula() -> None:
    for d in (1, 2, 3):
        for s in range(60):
            q = generate("output_size.side", s, d)
            assert isinstance(q, NumericQuestion)
            layers, w = q.params["layers"], q.params["w"]
            for lay in layers:
                w = F.output_size(w, lay["k"], lay["s"], lay["pad"], lay["d"])
            assert q.key == w
            q2 = generate("output_size.shape", s, d)
            assert isinstance(q2, ShapeQuestion)
            h, w2 = q2.params["h"], q2.params["w"]
            for lay in q2.params["layers"]:
                h = F.output_size(h, lay["k"], lay["s"], lay["pad"], lay["d"])
                w2 = F.output_size(w2, lay["k"], lay["s"], lay["pad"], lay["d"])
            assert q2.key_value[:2] == [h, w2]


def test_traps_on_offer_and_shape_traps_diagnosed() -> None:
    seen: set[str] = set()
    for gen_id in ("output_size.side", "output_size.shape"):
        for d in (1, 2, 3):
            for s in range(40):
                q = generate(gen_id, s, d)
                assert isinstance(q, NumericQuestion | ShapeQuestion)
                assert q.traps, q.uid
                seen.update(t.trap for t in q.traps)
                if isinstance(q, ShapeQuestion):  # test_bank diagnoses numeric traps only
                    for t in q.traps:
                        assert diagnose(q, t.value).trap == t.trap, (q.uid, t)
    assert {"forgot_floor", "padding_once", "same_as_valid", "ignored_dilation", "dilation_as_k_times_d"} <= seen


def test_same_split_options() -> None:
    for d in (1, 2, 3):
        for s in range(30):
            q = generate("output_size.same_split", s, d)
            assert isinstance(q, MultipleChoiceQuestion)
            a, b = F.same_pad_total(q.params["w"], q.params["k"], q.params["s"], q.params["d"])
            right = next(o for o in q.options if o.correct)
            assert right.text == O._split_text(a, b) and q.witness is not None and q.witness.expect == [a, b]
            wrong = [o.trap for o in q.options if not o.correct]
            assert set(wrong) <= {
                "same_pad_extra_first",
                "same_pad_symmetric",
                "same_pad_ignores_stride",
                "same_as_valid",
            }
            assert len(set(wrong)) == len(wrong), "one misconception per option"


@pytest.mark.live
def test_probes_resnet_stem_and_same_split() -> None:
    from models.probes import run
    from quizbank import witness as W

    stem = [W.zero_pad2d(3), W.conv2d(4, 7, strides=2), W.pool2d("max", 3, strides=2, padding="same")]
    assert run("output_dim", input_shape=[224, 224, 3], layers=stem) == 56
    stem[-1] = W.pool2d("max", 3, strides=2)
    assert run("output_dim", input_shape=[224, 224, 3], layers=stem) == 55
    assert run("same_padding_split", w=224, k=7, s=2) == [2, 3]
    assert run("same_padding_split", w=10, k=4) == [1, 2]
    assert run("same_padding_split", w=15, k=5) == [2, 2]
