"""How many viewers an experiment needs before it can tell a given lift from chance.

For a conversion rate ``baseline`` and a relative minimum detectable effect ``mde`` (0.10:
a lift from 4% to 4.4%), the users per arm a two-sided test at ``alpha`` needs to find that
lift with probability ``power``, from Cohen's effect size h of the two rates and statsmodels'
``NormalIndPower``. With more than two arms each comparison with control gets ``alpha``
split Bonferroni's way, the conservative plan for Holm's correction applied afterwards.
"""

from __future__ import annotations

import math

from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize


def users_per_arm(
    baseline: float, mde: float, power: float = 0.8, alpha: float = 0.05, arms: int = 2
) -> int:
    """Users each arm needs; see the module docstring."""
    if not 0 < baseline < 1:
        raise ValueError(f"baseline must be a rate between 0 and 1, got {baseline}")
    treated = baseline * (1 + mde)
    if mde == 0 or not 0 < treated < 1:
        raise ValueError(f"mde must move the rate to another rate between 0 and 1, got {mde}")
    if not 0 < power < 1 or not 0 < alpha < 1 or arms < 2:
        raise ValueError("power and alpha must be between 0 and 1, and arms at least 2")
    effect = abs(proportion_effectsize(treated, baseline))
    needed = NormalIndPower().solve_power(
        effect_size=effect, alpha=alpha / (arms - 1), power=power, ratio=1.0
    )
    return math.ceil(float(needed))
