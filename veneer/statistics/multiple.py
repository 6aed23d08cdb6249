"""Many comparisons at once: p-value corrections and the sample-ratio check.

- An experiment with three arms and two metrics makes six comparisons; at 5% each, one in
  four experiments with no effect at all would show a "winner". Holm's step-down method
  (the default) keeps the chance of any false winner at alpha and is never less powerful
  than Bonferroni; Benjamini-Hochberg keeps the expected share of false winners among the
  declared ones at alpha instead, for teams that run many metrics. Both as statsmodels'
  ``multipletests`` computes them; Holm's is done here in four lines because statsmodels'
  runs a full ``gc.collect()`` on every call, tens of milliseconds in a loaded process, paid
  per request and per day of a results timeline.
- Sample-ratio mismatch: if the viewers per arm stray from the configured weights more than
  chance allows (chi-square goodness of fit), assignment or exposure logging is broken
  (a redirect that loses one arm's viewers, a bot filter that hits one arm), and no lift
  measured on those viewers can be trusted, however significant.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

Correction = Literal["holm", "bh", "none"]
SRM_ALPHA = 0.001  # below this, the split is broken: results are marked untrustworthy


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment: the k-th smallest p-value times (m - k + 1), each at
    least the one before it, capped at 1 (as statsmodels' ``multipletests(method="holm")``)."""
    ordered = np.argsort(p_values, kind="stable")
    scaled = np.asarray(p_values, dtype=np.float64)[ordered] * np.arange(len(p_values), 0, -1)
    result = np.empty(len(p_values))
    result[ordered] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return [float(p) for p in result]


def adjusted(p_values: Sequence[float | None], correction: Correction) -> list[float | None]:
    """Each p-value corrected for the others; None stays None (and does not count)."""
    present = [p for p in p_values if p is not None]
    if correction == "none" or not present:
        return list(p_values)
    if correction == "holm":
        corrected = iter(holm(present))
    else:
        corrected = iter(multipletests(present, method="fdr_bh")[1].tolist())
    return [None if p is None else float(next(corrected)) for p in p_values]


def sample_ratio_p_value(users: Sequence[int], weights: Sequence[float]) -> float | None:
    """The chi-square goodness-of-fit p-value of ``users`` per arm against ``weights``;
    None with fewer than two arms or no users."""
    total = sum(users)
    if len(users) < 2 or total == 0:
        return None
    share = sum(weights)
    expected = [total * weight / share for weight in weights]
    return float(stats.chisquare(users, expected).pvalue)
