"""`veneer experiments analyze` and `veneer experiments size`: the statistics engine from the
terminal, on aggregates from anywhere (a warehouse export, another tool)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import orjson
import typer
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from rich.table import Table

from veneer.cli.base import app, console

if TYPE_CHECKING:
    from veneer.experiments.analysis import Analysis

experiments_app = typer.Typer(
    help="Experiments: analyze results, plan sample sizes.", no_args_is_help=True
)
app.add_typer(experiments_app, name="experiments")


class ArmInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1)
    weight: float = Field(gt=0)
    users: int = Field(ge=0)
    conversions: int | None = Field(default=None, ge=0)
    sum: float | None = None
    sum_squares: float | None = Field(default=None, ge=0)
    control: bool = False
    covariate_sum: float | None = None
    covariate_sum_squares: float | None = Field(default=None, ge=0)
    cross_sum: float | None = None

    @model_validator(mode="after")
    def _conversions_fit(self) -> ArmInput:
        if self.conversions is not None and self.conversions > self.users:
            raise ValueError(f"conversions ({self.conversions}) exceed users ({self.users})")
        return self

    @model_validator(mode="after")
    def _covariate_is_whole(self) -> ArmInput:
        given = {
            "covariate_sum": self.covariate_sum,
            "covariate_sum_squares": self.covariate_sum_squares,
            "cross_sum": self.cross_sum,
        }
        missing = [name for name, value in given.items() if value is None]
        if 0 < len(missing) < len(given):
            raise ValueError(
                f"{' and '.join(missing)} missing: CUPED needs covariate_sum, "
                "covariate_sum_squares and cross_sum together"
            )
        return self

    @property
    def has_covariate(self) -> bool:
        return self.cross_sum is not None


class AnalysisInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: Literal["binomial", "mean"]
    alpha: float = Field(default=0.05, gt=0, lt=1)
    correction: Literal["holm", "bh", "none"] = "holm"
    sequential: bool = False
    planned_users: int = Field(default=5_000, gt=0)
    arms: list[ArmInput] = Field(min_length=2)

    @model_validator(mode="after")
    def _arms_fit_the_metric(self) -> AnalysisInput:
        keys = [arm.key for arm in self.arms]
        if len(set(keys)) != len(keys):
            raise ValueError(f"arm keys must differ: {keys}")
        for arm in self.arms:
            if self.metric == "binomial" and arm.conversions is None:
                raise ValueError(f"arm {arm.key!r}: a binomial metric needs conversions")
            if self.metric == "mean" and (arm.sum is None or arm.sum_squares is None):
                raise ValueError(f"arm {arm.key!r}: a mean metric needs sum and sum_squares")
        with_covariate = [arm.has_covariate for arm in self.arms]
        if any(with_covariate) and not all(with_covariate):
            lacking = [arm.key for arm in self.arms if not arm.has_covariate]
            raise ValueError(
                f"arms {lacking} have no covariate_sum, covariate_sum_squares and cross_sum: "
                "CUPED needs them for every arm or none"
            )
        return self


def _read(path: Path) -> AnalysisInput:
    try:
        raw = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
        return AnalysisInput.model_validate(orjson.loads(raw))
    except OSError as exc:
        raise _usage(f"cannot read {path}: {exc.strerror or exc}") from exc
    except orjson.JSONDecodeError as exc:
        raise _usage(f"{path} is not JSON: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'input'}: {error['msg']}"
            for error in exc.errors()
        )
        raise _usage(problems) from exc


def _usage(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(2)


def _percent(value: float | None, sign: bool = False) -> str:
    return "-" if value is None else f"{value:+.1%}" if sign else f"{value:.1%}"


def print_analysis(result: Analysis) -> None:
    if not result.trustworthy:
        console.print(
            f"[red bold]Sample ratio mismatch[/red bold] (p = {result.srm_p_value:.2g}): the "
            "viewers per arm do not match the weights; fix the split before reading on."
        )
    if result.cuped is not None:
        console.print(
            f"CUPED: the pre-exposure covariate removed {result.cuped.variance_reduction:.1%} "
            f"of the variance (theta = {result.cuped.theta:.4g})."
        )
    table = Table("arm", "lift", "interval", "p-value", "adjusted", "chance to beat", "loss")
    for c in result.comparisons:
        table.add_row(
            c.arm,
            _percent(c.lift, sign=True),
            f"{_percent(c.ci[0], sign=True)} to {_percent(c.ci[1], sign=True)}",
            "-" if c.p_value is None else f"{c.p_value:.4f}",
            "-" if c.p_value_adjusted is None else f"{c.p_value_adjusted:.4f}",
            _percent(c.chance_to_beat_control),
            "-" if c.expected_loss is None else f"{c.expected_loss:.4g}",
        )
    console.print(table)


@experiments_app.command("analyze")
def analyze_command(
    file: Path = typer.Argument(..., help="Per-arm aggregates as JSON ('-': standard input)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON only."),
) -> None:
    """Each arm against control: relative lift with its confidence interval, p-value before
    and after the correction across arms, chance to beat control and expected loss, and the
    sample-ratio check that says whether any of it can be trusted.

    Input: {"metric": "binomial"|"mean", "alpha": 0.05, "correction": "holm"|"bh"|"none",
    "arms": [{"key": "control", "weight": 0.5, "users": 1000, "conversions": 100}, ...]};
    a mean metric gives "sum" and "sum_squares" instead of "conversions". With
    "covariate_sum", "covariate_sum_squares" and "cross_sum" (of each viewer's pre-exposure
    value, its square and its product with the metric) for every arm, the comparisons are
    CUPED-adjusted.
    """
    from veneer.experiments.analysis import Arm, analyze  # scipy and statsmodels: load on use

    given = _read(file)
    arms = [
        Arm(
            a.key,
            a.weight,
            a.users,
            a.conversions,
            a.sum,
            a.sum_squares,
            a.control,
            a.covariate_sum,
            a.covariate_sum_squares,
            a.cross_sum,
        )
        for a in given.arms
    ]
    try:
        result = analyze(
            arms,
            given.metric,
            given.alpha,
            given.correction,
            given.sequential,
            given.planned_users,
        )
    except ValueError as exc:
        raise _usage(str(exc)) from exc
    if as_json:
        sys.stdout.write(orjson.dumps(result.as_json()).decode() + "\n")
    else:
        print_analysis(result)


@experiments_app.command("size")
def size_command(
    baseline: float = typer.Option(..., help="The control's conversion rate, e.g. 0.04."),
    mde: float = typer.Option(..., help="Smallest relative lift worth finding, e.g. 0.10."),
    power: float = typer.Option(0.8, help="Chance of finding that lift when it is there."),
    alpha: float = typer.Option(0.05, help="False-positive rate of each comparison."),
    arms: int = typer.Option(2, help="Arms, control included."),
) -> None:
    """The viewers each arm needs before the experiment can tell the lift from chance."""
    from veneer.statistics.power import users_per_arm  # statsmodels: load on use

    try:
        per_arm = users_per_arm(baseline, mde, power, alpha, arms)
    except ValueError as exc:
        raise _usage(str(exc)) from exc
    console.print(
        f"{per_arm:,} viewers per arm, {per_arm * arms:,} in all, to find a {mde:+.0%} lift on "
        f"{baseline:.2%} with {power:.0%} power at alpha {alpha:g}"
        + (f" (split across {arms - 1} comparisons)" if arms > 2 else "")
    )
