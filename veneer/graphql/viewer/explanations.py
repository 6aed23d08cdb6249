"""`Explanation`: why the viewer sees what they see (see `veneer.explanations`)."""

from __future__ import annotations

import strawberry

from veneer.explanations import Because
from veneer.explanations import Explanation as DomainExplanation
from veneer.graphql.enums import Purpose

strawberry.enum(Because, name="ExplanationKind", description="What made an answer personal.")


@strawberry.type(
    description="One reason the viewer's answers differ from everyone's: the data it used, "
    "the consent it rests on, and how to change it."
)
class Explanation:
    kind: Because
    reason: str = strawberry.field(description="One sentence, in the viewer's words.")
    data: list[str] = strawberry.field(description="Which of the viewer's data it used.")
    purpose: Purpose = strawberry.field(description="The consent purpose it rests on.")
    change: str = strawberry.field(description="How the viewer changes it.")
    key: str | None = strawberry.field(
        description="The segment, experiment or predicted event it is about."
    )

    @classmethod
    def from_domain(cls, found: DomainExplanation) -> Explanation:
        return cls(
            kind=found.because,
            reason=found.reason,
            data=list(found.data),
            purpose=found.purpose,
            change=found.change,
            key=found.key,
        )
