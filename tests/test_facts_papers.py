"""Paper-only figures (models/facts/papers.py): every row names a zoo model, and the seed's rounded parameter and
GFLOP figures agree with that model's declared facts, which the zoo tests check on the live models."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.facts import VARIANTS
from models.facts.papers import ALEXNET, LENET, SEED_TABLE, SENET


def _decimals(x: float) -> int:
    return max(0, -Decimal(str(x)).as_tuple().exponent)  # type: ignore[operator]


@pytest.mark.parametrize("family", sorted(SEED_TABLE))
def test_seed_rows_name_zoo_models_and_agree_with_their_measured_figures(family: str) -> None:
    row = SEED_TABLE[family]
    v = VARIANTS[row.model]
    assert row.top1.source and 50 < row.top1.value < 90
    assert v.macs is not None and v.trainable_params is not None
    if row.gflops is not None:  # the seed's 'GFLOPs' are MACs, rounded
        assert round(v.macs.value / 1e9, _decimals(row.gflops.value)) == row.gflops.value, family
    if row.params_m is not None:  # trainable weights (Inception-v3: torchvision's count, with its aux head)
        params = v.reference["torchvision_params"].value if family == "inception_v3" else v.trainable_params.value
        assert round(params / 1e6, _decimals(row.params_m.value)) == row.params_m.value, family


def test_paper_figures_agree_with_the_declared_models() -> None:
    alex = VARIANTS["alexnet_2gpu"]
    assert alex.reference["paper_params"].value == ALEXNET["params_m"].value * 1_000_000
    assert round(alex.params.value / 1e6) == 61 and ALEXNET["layers"].value == (5, 3)  # type: ignore[union-attr]
    assert ALEXNET["top5_error"].value < ALEXNET["runner_up_top5_error"].value - 10
    se = VARIANTS["se_resnet50"]
    assert se.reference["paper_gmacs"].value == SENET["se_resnet50_gflops"].value
    assert SENET["resnet50_top1_error"].value - SENET["se_resnet50_top1_error"].value == pytest.approx(1.51)
    assert VARIANTS["lenet5"].reference["paper_trainable"].value == 60_000
    assert LENET["template"].value[:4] == ("conv", "pool", "conv", "pool")


def test_every_fact_has_a_source() -> None:
    for table in (ALEXNET, SENET, LENET):
        for key, fact in table.items():
            assert fact.source, key
    for row in SEED_TABLE.values():
        for fact in (row.top1, row.params_m, row.gflops):
            assert fact is None or fact.source
