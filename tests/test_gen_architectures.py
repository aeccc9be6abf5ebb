"""Questions from the zoo: the closed forms behind their keys and the conventions their distractors offer."""

from __future__ import annotations

from models.facts import VARIANTS
from quizbank import formulas as F
from quizbank.generators import generate
from quizbank.generators.architectures import PARAM_MODELS, _resnet50_chain, _vgg_chain


def test_named_layer_receptive_fields_by_formula() -> None:
    assert F.receptive_field(_resnet50_chain(2, 3))[0] == 35  # conv2_block3_out: 11 after the stem, +8 per block
    assert F.receptive_field(_resnet50_chain(5, 3))[0] == VARIANTS["resnet50"].receptive_field.value[0] == 483  # type: ignore[union-attr]
    assert F.receptive_field(_vgg_chain(5, None))[0] == VARIANTS["vgg16"].receptive_field.value[0] == 212  # type: ignore[union-attr]
    assert F.receptive_field(_vgg_chain(1, 2))[0] == 5


def test_stem_and_growth_formulas() -> None:
    assert F.output_size(224, 7, 2, 3) == 112 and F.output_size(112, 3, 2, 1) == 56
    assert F.densenet_channels(64, 6, 32) == 256 == VARIANTS["densenet121"].reference["conv2_out_channels"].value


def test_count_questions_offer_other_conventions() -> None:
    assert "resnet50" in PARAM_MODELS[1]
    for s in range(30):
        q = generate("architectures.params", s, 3)
        traps = {o.trap for o in q.options if not o.correct}
        assert traps <= {
            "keras_count_trainable_only",
            "bn_trainable_as_4c",
            "keras_count_is_torchvision",
            "aux_head_counted",
            "forgot_bn_params",
        }


def test_resnet_difference_is_explained_exactly() -> None:
    q = generate("architectures.resnet_conventions", 0, 1)
    right = next(o for o in q.options if o.correct)
    assert right.value == 25_636_712 - 25_557_032 == 3 * 26_560
