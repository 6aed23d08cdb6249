"""`Propensity`: a viewer's stored score for one event, and the model that gave it."""

from __future__ import annotations

from datetime import datetime

import strawberry

from veneer.propensity.record import Score


@strawberry.type(
    description="How likely the viewer is to send `event` within the model's horizon "
    "(7 days by default), as a calibrated probability; computed by `veneer propensity "
    "train` and when the viewer's events are applied, never during the request."
)
class Propensity:
    event: str
    score: float = strawberry.field(description="A probability from 0 to 1.")
    model: str = strawberry.field(description="The model and its version, e.g. `logistic:v3`.")
    updated_at: datetime = strawberry.field(description="When this score was computed.")

    @classmethod
    def from_domain(cls, score: Score) -> Propensity:
        return cls(
            event=score.event, score=score.score, model=score.model, updated_at=score.updated_at
        )
