"""Serving: one viewer's top 10 of 50,000 items from a factor model, against bare argpartition.

A factor model (LightFM's or ALS's output: 64 factors per item, an item bias) folds the
viewer's current history in (40 entries, newest first), scores the whole catalogue, drops
what they already have, returns the best 10 in order and names the history entry behind
each: what a request does with the champion (`ServingModel.recommend`). The baseline is
the least any top 10 can cost: ``np.argpartition`` over a row of scores computed
beforehand, for the same viewers. Both are timed one viewer at a time, in the same run,
with BLAS on one thread as a server answering one request per core would run it. A third
figure is the same viewer asking again with the same history (a reload, a second slot on
the page), which the served champion answers from memory (`RememberedModel`).
Run: ``python -m bench.recs_serving [--items 50000] [--json]``.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import orjson
from threadpoolctl import threadpool_limits

from veneer.recommend.models.remembered import RememberedModel
from veneer.recommend.models.serving import FACTORS, Part, ServingModel


def _best_ms(run: Any, viewers: np.ndarray, rounds: int) -> float:
    """Median over rounds of the mean time per viewer, in milliseconds."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for viewer in viewers:
            run(int(viewer))
        times.append((time.perf_counter() - started) / len(viewers) * 1000)
    return float(np.median(times))


def measure(items: int, factors: int, viewers: int, rounds: int) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    item_factors = (rng.normal(size=(items, factors)) / np.sqrt(factors)).astype(np.float32)
    bias = (rng.normal(size=items) * 0.1).astype(np.float32)
    model = ServingModel(
        "LightFM", tuple(f"entry-{i}" for i in range(items)), (Part(FACTORS, item_factors, bias),)
    )
    # 40 distinct entries seen per viewer, newest first, as a request reads them
    histories = {
        v: [f"entry-{i}" for i in rng.choice(items, 40, replace=False)] for v in range(viewers)
    }
    chosen = np.arange(viewers)
    precomputed = {
        v: item_factors @ item_factors[rng.choice(items, 40)].sum(axis=0) + bias
        for v in range(viewers)
    }

    def veneer(viewer: int) -> None:
        model.recommend(histories[viewer], 10)

    remembered = RememberedModel(model, size=viewers)

    def again(viewer: int) -> None:
        remembered.recommend(histories[viewer], 10)

    def bare(viewer: int) -> None:
        np.argpartition(-precomputed[viewer], 10)[:10]

    with threadpool_limits(1, "blas"):  # a server answers one request per core
        veneer_ms = _best_ms(veneer, chosen, rounds)
        bare_ms = _best_ms(bare, chosen, rounds)
        for viewer in chosen:  # each viewer's first request: scored and remembered
            again(int(viewer))
        again_ms = _best_ms(again, chosen, rounds)
    return {
        "items": items,
        "factors": factors,
        "veneer top 10 ms": round(veneer_ms, 3),
        "bare argpartition ms": round(bare_ms, 3),
        "ratio": round(veneer_ms / bare_ms, 2),
        "asked again ms": round(again_ms, 4),
        "asked again ratio": round(again_ms / bare_ms, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--viewers", type=int, default=200, help="viewers timed per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = measure(args.items, args.factors, args.viewers, args.rounds)
    if args.json:
        print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
        return
    print(f"one viewer's top 10 of {args.items:,} items ({args.factors} factors):")
    print(
        f"  veneer (fold in, score, drop seen, top 10, reasons) {result['veneer top 10 ms']:.3f} ms"
    )
    print(
        "  bare np.argpartition over precomputed scores       "
        f"{result['bare argpartition ms']:.3f} ms"
    )
    print(f"  ratio                                              {result['ratio']:.2f}")
    print(
        "  the same history asked again (remembered)          "
        f"{result['asked again ms']:.4f} ms (ratio {result['asked again ratio']:.3f})"
    )


if __name__ == "__main__":
    main()
