"""What `recommendations` and `similar` share: argument checks, per-request loads, answers.

Inputs are read once per request however many entries ask (a page of 20 products, each
with its own `recommendations`): the viewer's state and activity and the popularity table
go through per-request DataLoaders, and the catalogue's index is held by the process. So
the statements a request runs do not grow with the entries in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from strawberry.dataloader import DataLoader

from veneer.consent import Purpose
from veneer.content_adapters import ContentError
from veneer.entries import Entry
from veneer.graphql.context import Context, Info
from veneer.graphql.errors import UserInputError, content_error
from veneer.jobs.recommendation_inputs import ViewerActivity, popularity_table, viewer_activity
from veneer.profiles.traits import TraitSource
from veneer.recommend import answer
from veneer.recommend.candidates import Candidate, Situation, Strategy
from veneer.recommend.content_index import ContentIndex
from veneer.recommend.exploration import seed_for
from veneer.recommend.models.remembered import RememberedModel
from veneer.recommend.popularity import Popularity
from veneer.recommend.trained import TrainedStrategy
from veneer.viewer_state import ViewerState

Picked = list[tuple[Entry, Candidate]]


def _activity_loader(context: Context) -> DataLoader[str, ViewerActivity]:
    loader = context.loaders.get("recommend_activity")
    if loader is None:

        async def load(viewer_ids: list[str]) -> list[ViewerActivity]:
            return [await viewer_activity(context.services, v) for v in viewer_ids]

        loader = DataLoader(load_fn=load)
        context.loaders["recommend_activity"] = loader
    return loader  # type: ignore[no-any-return]


def _popularity_loader(context: Context) -> DataLoader[str, Popularity]:
    loader = context.loaders.get("recommend_popularity")
    if loader is None:

        async def load(keys: list[str]) -> list[Popularity]:
            table = await popularity_table(context.services)
            return [table for _ in keys]

        loader = DataLoader(load_fn=load)
        context.loaders["recommend_popularity"] = loader
    return loader  # type: ignore[no-any-return]


def _champion_loader(context: Context) -> DataLoader[str, tuple[int, RememberedModel] | None]:
    """The champion model, looked up once per request however many entries recommend."""
    loader = context.loaders.get("recommend_champion")
    if loader is None:

        async def load(keys: list[str]) -> list[tuple[int, RememberedModel] | None]:
            champion = await context.services.served_model.get()
            return [champion for _ in keys]

        loader = DataLoader(load_fn=load)
        context.loaders["recommend_champion"] = loader
    return loader  # type: ignore[no-any-return]


async def _model_for(
    context: Context, state: ViewerState
) -> tuple[tuple[int, RememberedModel] | None, tuple[str, str] | None]:
    """The model that serves this viewer, and the (experiment, arm) that chose it if any.

    A running experiment with models (champion vs challenger) serves each arm's version to
    the viewers it enrols (the champion's from memory while it is still the champion);
    anyone else gets the champion. A version that may no longer serve (withdrawn consent,
    pruned) leaves its arm to the champion, unrecorded.
    """
    champion = await _champion_loader(context).load("")
    if not state.arms:
        return champion, None
    experiments = await context.services.experiments()
    for key in sorted(state.arms):
        experiment = experiments.get(key)
        if experiment is None or not experiment.models:
            continue
        arm = state.arms[key]
        version = experiment.models.get(arm)
        if version is None or (champion is not None and int(version) == champion[0]):
            return champion, (key, arm)
        model = await context.services.challengers.get(int(version))
        if model is None:
            return champion, None
        return (int(version), model), (key, arm)
    return champion, None


def _own_traits(state: ViewerState) -> dict[str, Any]:
    """The viewer's first-party traits, as models train on them, with PERSONALIZATION only."""
    if Purpose.PERSONALIZATION not in state.granted:
        return {}
    return {
        name: value
        for name, value in state.traits.items()
        if state.trait_sources.get(name, TraitSource.FIRST_PARTY) is TraitSource.FIRST_PARTY
    }


def check_first(context: Context, first: int) -> None:
    limit = context.services.settings.max_page_size
    if not 1 <= first <= limit:
        raise UserInputError("first", f"must be between 1 and {limit}, got {first}")


async def check_content_types(context: Context, content_types: Sequence[str] | None) -> None:
    if content_types is None:
        return
    try:
        known = await context.services.content.content_types()
    except ContentError as exc:
        raise content_error(exc) from exc
    unknown = sorted(set(content_types) - set(known))
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        noun = "content type" if len(unknown) == 1 else "content types"
        raise UserInputError(
            "contentTypes", f"unknown {noun} {names}; known: {', '.join(sorted(known))}"
        )


async def _index(context: Context) -> ContentIndex:
    try:
        return await context.services.catalogue.index()
    except ContentError as exc:
        raise content_error(exc) from exc


def _entries(index: ContentIndex, picked: list[Candidate]) -> Picked:
    return [(index.entries[c.entry_id], c) for c in picked]


async def recommendations(
    info: Info,
    anchor: Entry | None,
    first: int,
    content_types: Sequence[str] | None,
    exclude: Sequence[str] = (),
) -> Picked:
    """The viewer's recommendations, next to ``anchor`` if they are on an entry."""
    return await recommend_for(info.context, anchor, first, content_types, exclude)


@dataclass(frozen=True)
class Inputs:
    """What recommending for the viewer reads, once per request."""

    situation: Situation
    index: ContentIndex
    popularity: Popularity
    activity: ViewerActivity
    trained: list[Strategy]
    seed: str  # exploration's draws: the viewer (with consent) and the day


async def inputs(context: Context, anchor: Entry | None) -> Inputs:
    """The viewer's situation (personal only with RECOMMENDATIONS consent) and what ranks it."""
    state = await context.viewer_state()
    index = await _index(context)
    popularity = await _popularity_loader(context).load("")
    personal = state.viewer is not None and Purpose.RECOMMENDATIONS in state.granted
    activity = ViewerActivity()
    if personal and state.viewer is not None:
        activity = await _activity_loader(context).load(state.viewer.id)
    situation = Situation(
        context.now,
        anchor=anchor,
        personal=personal,
        history=activity.history,
        segments=tuple(sorted(state.segments - state.held_out)) if personal else (),
        traits=_own_traits(state) if personal else {},
    )
    trained: list[Strategy] = []
    champion, experiment = await _model_for(context, state) if personal else (None, None)
    if experiment is not None:
        context.exposed(*experiment)
    if champion is not None:
        settings = context.services.settings
        trained.append(
            TrainedStrategy(
                champion[1],
                champion[0],
                index,
                settings.recommend_weights,
                timedelta(days=settings.recommend_train_half_life_days),
            )
        )
    viewer_id = state.viewer.id if personal and state.viewer is not None else None
    seed = seed_for(viewer_id, context.now)
    return Inputs(situation, index, popularity, activity, trained, seed)


async def recommend_for(
    context: Context,
    anchor: Entry | None,
    first: int,
    content_types: Sequence[str] | None,
    exclude: Sequence[str] = (),
) -> Picked:
    """`recommendations` for any edge that holds a request `Context` (REST blocks too)."""
    check_first(context, first)
    await check_content_types(context, content_types)
    read = await inputs(context, anchor)
    settings = context.services.settings
    picked = answer.recommend(
        read.situation,
        read.index,
        read.popularity,
        first=first,
        content_types=None if content_types is None else frozenset(content_types),
        exclude=frozenset(exclude),
        bought=read.activity.bought,
        passed_over=read.activity.passed_over,
        diversity_lambda=settings.recommend_mmr_lambda,
        trained=read.trained,
        diversity_floor=settings.recommend_diversity_floor,
        exploration=settings.recommend_exploration,
        seed=read.seed,
    )
    return _entries(read.index, picked)


async def similar(info: Info, entry: Entry, first: int) -> Picked:
    """Entries like ``entry`` by their words and tags, whoever asks."""
    check_first(info.context, first)
    await info.context.viewer_state()  # the entries returned get the viewer's variants
    index = await _index(info.context)
    picked = answer.similar(
        entry,
        index,
        info.context.now,
        first=first,
        diversity_lambda=info.context.services.settings.recommend_mmr_lambda,
    )
    return _entries(index, picked)
