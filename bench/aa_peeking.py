"""A/A experiments looked at ten times: how often each test declares a winner that isn't there.

Both arms convert at the same rate, so every "significant" result is a false positive. Each
simulated experiment is read at 10 evenly spaced looks up to its full size and stopped at
the first p < alpha, as a team checking a dashboard daily would. The fixed-sample z-test
read that way exceeds alpha several times over; read once, at the end, it holds alpha; the
sequential test (mSPRT, `veneer.statistics.sequential`, tuned for the full size) holds alpha
at every look. Run: ``python -m bench.aa_peeking [--experiments 2000] [--json]``.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import orjson

from veneer.statistics.lift import Sample, binomial_p_value, lift_variance
from veneer.statistics.sequential import always_valid_p, mixture_tau2

RATE = 0.05
USERS = 10_000  # per arm, at the last look
LOOKS = 10
ALPHA = 0.05


def simulate(experiments: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    step = USERS // LOOKS
    # conversions per arm at each look: cumulative sums of binomial increments
    counts = rng.binomial(step, RATE, size=(experiments, 2, LOOKS)).cumsum(axis=2)
    peeking = final = sequential = 0
    for experiment in range(experiments):
        fixed_hit = sequential_hit = False
        for look in range(LOOKS):
            users = step * (look + 1)
            arm, control = int(counts[experiment, 0, look]), int(counts[experiment, 1, look])
            p_value = binomial_p_value((users, arm), (users, control))
            if p_value is not None and p_value < ALPHA:
                fixed_hit = True
                final += look == LOOKS - 1
            variance = lift_variance(Sample.binomial(users, arm), Sample.binomial(users, control))
            if variance is not None and control:
                lift = arm / control - 1
                tau2 = mixture_tau2(variance, users, USERS, ALPHA)
                sequential_hit |= always_valid_p(lift, variance, tau2) < ALPHA
        peeking += fixed_hit
        sequential += sequential_hit
    return {
        "experiments": experiments,
        "looks": LOOKS,
        "alpha": ALPHA,
        "fixed test, read once at the end": final / experiments,
        "fixed test, stopped at the first of 10 looks": peeking / experiments,
        "sequential test, stopped at the first of 10 looks": sequential / experiments,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    report = simulate(args.experiments, args.seed)
    report["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(orjson.dumps(report).decode())
        return
    print(
        f"{report['experiments']} A/A experiments, {RATE:.0%} conversion in both arms, "
        f"{USERS:,} viewers per arm, alpha {ALPHA}:"
    )
    for name, share in report.items():
        if isinstance(share, float) and name not in ("seconds", "alpha"):
            print(f"  {name:52s} {share:6.1%}  ({share / ALPHA:.2f}x alpha)")


if __name__ == "__main__":
    main()
