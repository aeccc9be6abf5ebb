"""Every generator × difficulty × 50 seeds, proven against live Keras (the CI half of `cnnquiz validate`)."""

from __future__ import annotations

import pytest

from quizbank.generators import REGISTRY
from quizbank.sweep import run_job

pytestmark = pytest.mark.live
SEEDS = range(50)


@pytest.mark.parametrize("gen_id", sorted(REGISTRY))
def test_generator_keys_match_live_keras(gen_id: str) -> None:
    for d in REGISTRY[gen_id].difficulties:
        r = run_job(gen_id, d, SEEDS)
        assert r.seeds == len(SEEDS)
        assert not r.failures, "\n".join(
            f"({f.generator}, seed={f.seed}, d={f.difficulty}) expected={f.expected!r} live={f.live!r} {f.detail}"
            for f in r.failures[:10]
        )
