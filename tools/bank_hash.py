"""Fingerprint of the whole question bank: every generator x difficulty x N seeds, as JSON, hashed.

A refactor that must not change what the bank asks keeps this hash; run it before and after:

    .venv/bin/python tools/bank_hash.py --seeds 40
"""

from __future__ import annotations

import argparse
import hashlib
import json

from quizbank.generators import REGISTRY, generate


def bank_hash(seeds: int) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    for gen_id in sorted(REGISTRY):
        for difficulty in (1, 2, 3):
            for seed in range(seeds):
                q = generate(gen_id, seed, difficulty)
                h.update(json.dumps(q.model_dump(mode="json"), sort_keys=True).encode())
                n += 1
    return h.hexdigest(), n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=40)
    args = ap.parse_args()
    digest, n = bank_hash(args.seeds)
    print(f"{digest}  {n} questions")


if __name__ == "__main__":
    main()
