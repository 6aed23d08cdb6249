"""One `Settings` object, read from ``VENEER_*`` environment variables.

Every backend choice (database, cache, content source) is configuration, never a code fork:
the embedded default and production run the same code with different settings.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from veneer.identity.origins import normalize_origins
from veneer.profiles.sensitive import MARKED_BY_NAME, SensitiveTraits, SpecialCategory
from veneer.segments.rules import parse_window

DEMO_SECRET = "veneer-demo-secret-not-for-production"


def normalize_database_url(url: str) -> str:
    """Pick the async driver for the URLs people usually write.

    Users copy ``postgresql://`` and ``sqlite:///`` URLs from elsewhere; Veneer's engine is
    async, so those get the psycopg and aiosqlite drivers rather than a confusing error.
    """
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url


class Settings(BaseSettings):
    """Deployment settings. Field ``x`` is read from ``VENEER_X``."""

    model_config = SettingsConfigDict(env_prefix="VENEER_", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///.veneer/veneer.db",
        description="SQLAlchemy URL; postgresql:// and sqlite:/// get async drivers.",
    )
    redis_url: str | None = Field(default=None, description="Unset: in-process cache.")
    content: str = Field(
        default="sample",
        description="`sample` (shipped demo content) or `file:/path/to/dir`.",
    )
    secret: str | None = Field(
        default=None, description="HMAC key for viewer tokens and signed URLs."
    )
    demo: bool = Field(default=False, description="Accept the demo keys pk_demo and sk_demo.")
    consent_default: Literal["opt-in", "opt-out"] = Field(
        default="opt-in",
        description="opt-in: purposes other than NECESSARY are denied until granted.",
    )
    content_cache_ttl: float = Field(default=60.0, ge=0, description="Seconds.")
    content_stale_ttl: float = Field(
        default=7 * 24 * 3600.0,
        ge=0,
        description="Seconds a copy is kept to serve while the CMS is down (stale-if-error).",
    )
    content_cache_size: int = Field(default=10_000, ge=1)
    viewer_cache_ttl: float = Field(
        default=5.0, ge=0, description="Seconds a viewer's segments are cached."
    )
    event_max_future_skew: timedelta = Field(
        default=timedelta(minutes=5), description="Seconds an event may be dated ahead."
    )
    dedupe_horizon: timedelta = Field(
        default=timedelta(days=7), description="How long an event id counts as seen."
    )
    cart_abandoned_after: timedelta = Field(
        default=timedelta(hours=1),
        description="Seconds after a cart's last add_to_cart, with no purchase since, that the "
        "worker derives a cart_abandoned event for it (ISO 8601 such as PT2H works too).",
    )
    cart_check_interval: float = Field(
        default=300.0, ge=1, description="Seconds between looks for abandoned carts."
    )
    quality_alert_threshold: float = Field(
        default=0.05, ge=0, le=1, description="Rejection rate that raises a quality alert."
    )
    max_batch_events: int = Field(default=500, ge=1, description="Events per request.")
    max_batch_bytes: int = Field(default=1_000_000, ge=1_000, description="Bytes per request.")
    event_lookback_days: int = Field(
        default=90, ge=1, description="How far back event conditions without `within` look."
    )
    event_retention_days: int = Field(
        default=395,
        ge=1,
        description="Days raw events are kept; housekeeping deletes older ones. At least "
        "VENEER_EVENT_LOOKBACK_DAYS, which segment rules count back over.",
    )
    profile_retention_days: int = Field(
        default=730,
        ge=1,
        description="Days a viewer may go unseen (no event, no trait) before housekeeping "
        "erases them: profile, events, consent, memberships, scores, as an erasure does.",
    )
    sensitive_traits: dict[str, SpecialCategory] = Field(
        default_factory=dict,
        description="JSON: traits holding special-category data, by category, beyond those "
        'marked by name (health, religion, ethnicity, ...): {"diagnosis": "health"}.',
    )
    sensitive_traits_allowed: dict[str, str] = Field(
        default_factory=dict,
        description="JSON: special-category traits segments and triggers may test, each with "
        'its recorded basis: {"diagnosis": "explicit consent, form HC-2"}.',
    )
    log_format: Literal["json", "text"] = Field(
        default="json",
        description="Log lines as JSON objects (time, level, logger, message, request_id), "
        "or as plain text for a terminal.",
    )
    retention_interval: float = Field(
        default=3600.0, ge=1, description="Seconds between housekeeping's retention rounds."
    )
    default_locale: str = "en"
    max_page_size: int = Field(default=100, ge=1)
    segment_decide_interval: float = Field(
        default=30.0,
        ge=1,
        description="Seconds between checks for new or changed segments to backfill.",
    )
    segment_sweep_interval: float = Field(
        default=900.0,
        ge=1,
        description="Seconds between re-decisions of segments whose event windows slide.",
    )
    content_model_refresh: float = Field(
        default=300.0,
        ge=1,
        description="Seconds between checks of the content model behind the typed GraphQL fields.",
    )
    recommend_popularity_days: int = Field(
        default=30, ge=1, description="Days of events that popularity counts."
    )
    recommend_popularity_interval: float = Field(
        default=600.0, ge=1, description="Seconds between recomputations of popularity."
    )
    recommend_index_refresh: float = Field(
        default=300.0,
        ge=1,
        description="Seconds between checks of the catalogue behind content similarity.",
    )
    recommend_model_check: float = Field(
        default=5.0,
        ge=0,
        description="Seconds between checks for a new champion recommendation model (0: on "
        "every request that recommends, the demo's default); with Redis, promotions are also "
        "announced at once.",
    )
    recommend_mmr_lambda: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="Relevance against diversity when re-ranking (1: relevance alone).",
    )
    recommend_diversity_floor: float = Field(
        default=0.2,
        ge=0,
        lt=1,
        description="Share of a recommendation list (or a feed's top) that must lie outside "
        "its most common tag, rounded down, as far as the catalogue allows: 0.2 lets at most 8 "
        "of 10 entries share a tag and leaves lists under 5 alone (0: off).",
    )
    recommend_exploration: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="Share of recommendation and feed positions given to entries from outside "
        "the viewer's profile (strategy `explore`), drawn per viewer and day: 0.1 takes the "
        "10th, 20th, ... (0: off).",
    )
    recommend_shown_limit: int = Field(
        default=3,
        ge=0,
        description="Recommendations a viewer was shown this many times (`impression` events) "
        "since last engaging with them are left out (0: never).",
    )
    recommend_shown_days: float = Field(
        default=7.0,
        gt=0,
        description="Days of impressions that count towards `recommend_shown_limit`; older "
        "ones are forgotten, so a passed-over entry can come back.",
    )
    recommend_train_days: int = Field(
        default=90, ge=1, description="Days of events a recommendation model is trained on."
    )
    recommend_weights: dict[str, float] = Field(
        default={"entry_view": 1.0, "click": 1.0, "add_to_cart": 2.0, "purchase": 3.0},
        description="How much each event type counts when a model fits and in a viewer's "
        "history when a trained model scores it, on the holdout and when serving, as JSON "
        '(`{"entry_view": 1, "add_to_cart": 2}`); types left out, or weighing 0, are not read.',
    )
    recommend_train_half_life_days: float = Field(
        default=14.0,
        gt=0,
        description="Days after which an interaction counts half in a viewer's history.",
    )
    recommend_train_interval: float = Field(
        default=24 * 3600.0,
        ge=0,
        description="Seconds between scheduled training runs (at least 60); 0 turns scheduled "
        "and drift-triggered training off, leaving `veneer recs train` and the privacy deadline.",
    )
    recommend_drift_interval: float = Field(
        default=24 * 3600.0, ge=60, description="Seconds between drift checks of the champion."
    )
    recommend_drift_drop: float = Field(
        default=0.10,
        gt=0,
        lt=1,
        description="Share of its registered holdout precision@10 the champion may lose on "
        "fresh interactions before a retraining is started.",
    )
    recommend_erasure_deadline: float = Field(
        default=24 * 3600.0,
        ge=60,
        description="Seconds within which a champion trained on a withdrawn or erased "
        "viewer's data is replaced.",
    )
    recommend_artifact_dir: Path | None = Field(
        default=None,
        description="Unset: trained models are stored in the database; else files here.",
    )
    recommend_keep_versions: int = Field(
        default=5,
        ge=1,
        description="Trained models whose artifacts are kept besides the champion: the newest "
        "ones and as many rollback steps; older ones keep their figures only.",
    )
    recommend_budget_gib: float = Field(
        default=8.0, gt=0, description="Memory a recipe may take while training; more: skipped."
    )
    feed_snapshot_ttl: float = Field(
        default=1800.0,
        ge=0,
        description="Seconds a feed's ranking is kept for its next pages, counted from its "
        "first page; after that the app starts again from the first page (FEED_EXPIRED).",
    )
    feed_length: int = Field(
        default=500,
        ge=1,
        le=5000,
        description="Entries a feed ranks at most, pins included: how far an app can scroll.",
    )
    propensity_events: str = Field(
        default="purchase",
        description="Comma-separated event types housekeeping trains propensity models for "
        "(empty: none).",
    )
    propensity_interval: float = Field(
        default=86_400.0, ge=60, description="Seconds between propensity trainings."
    )
    propensity_horizon: str = Field(
        default="7d", description="How far ahead propensity predicts (30m, 48h, 7d)."
    )
    propensity_window: str = Field(
        default="30d", description="The behaviour propensity learns from (30m, 48h, 7d)."
    )
    graphql_max_tokens: int = Field(
        default=1000,
        ge=100,
        description="Tokens in one GraphQL document, for public keys; as many comments and "
        "20 characters a token are allowed.",
    )
    graphql_max_fields: int = Field(
        default=300,
        ge=10,
        description="Fields one GraphQL document selects, each fragment counted wherever it "
        "is spread, for public keys.",
    )
    graphql_max_aliases: int = Field(
        default=15, ge=0, description="Aliased fields in one GraphQL document, for public keys."
    )
    graphql_max_depth: int = Field(
        default=10, ge=1, description="Fields nested in one another, for public keys."
    )
    graphql_secret_key_factor: int = Field(
        default=4, ge=1, description="Secret keys get this many times each GraphQL limit."
    )

    webhook_secret: str | None = Field(
        default=None, description="Shared secret CMS webhooks are signed or sent with."
    )
    persisted_query_ttl: float = Field(
        default=7 * 24 * 3600.0,
        gt=0,
        description="Seconds a document registered by its hash (Automatic Persisted Queries) "
        "is kept; a client that hears PersistedQueryNotFound after that sends it again.",
    )
    answer_cache_size: int = Field(
        default=10_000,
        ge=0,
        description="Answers kept per app process for reuse: a query that reads content and "
        "variants only is answered without running it again for any viewer whose segments, "
        "consent and experiment arms are the same. 0 runs every query.",
    )
    answer_cache_bytes: int = Field(
        default=64 * 1024 * 1024, ge=0, description="Bytes those answers may take, at most."
    )
    answer_cache_ttl: float = Field(
        default=60.0,
        ge=0,
        description="Seconds an answer is reused, at most; never longer than "
        "VENEER_CONTENT_CACHE_TTL, and content webhooks drop them all at once. 0 turns reuse off.",
    )
    trusted_documents_only: bool = Field(
        default=False,
        description="Public keys run only documents registered with `veneer queries register`.",
    )
    templates: Path | None = Field(
        default=None,
        description="A directory of block templates (blocks/<name>.html, blocks/email/"
        "<name>.html, blocks/<name>.txt) searched before Veneer's own.",
    )
    site_url: str = Field(
        default="",
        description="The site's address (https://shop.example/): links in email blocks and "
        "relative CMS links become absolute against it. Unset: Veneer's own address.",
    )
    public_url: str = Field(
        default="",
        description="Veneer's own address as email readers reach it, for signed block URLs "
        "(`veneer email-url`). Unset: http://127.0.0.1:$PORT.",
    )
    email_url_ttl: timedelta = Field(
        default=timedelta(days=30),
        description="How long a signed email block URL works by default (seconds or ISO 8601).",
    )
    cors_origins: str = Field(
        default="",
        description="Comma-separated origins whose pages may call the API from a browser "
        "with any key; each key also has its own (`veneer keys origins`).",
    )

    @field_validator(
        "event_max_future_skew",
        "dedupe_horizon",
        "cart_abandoned_after",
        "email_url_ttl",
        mode="before",
    )
    @classmethod
    def _seconds(cls, value: object) -> object:
        """Durations are written in seconds (``300``); ISO 8601 (``PT5M``) works too."""
        if isinstance(value, str) and value.strip().replace(".", "", 1).isdigit():
            return float(value)
        return value

    @field_validator("propensity_horizon", "propensity_window")
    @classmethod
    def _window(cls, value: str) -> str:
        parse_window(value, "value")  # a RuleError is a ValueError: pydantic names the field
        return value

    @field_validator("recommend_train_interval")
    @classmethod
    def _train_interval(cls, value: float) -> float:
        """A minute at least between runs, so training cannot occupy a worker; 0 is off."""
        if 0 < value < 60:
            raise ValueError("must be 0 (scheduled training off) or at least 60 seconds")
        return value

    @model_validator(mode="after")
    def _events_outlive_the_lookback(self) -> Settings:
        """Rules without `within` count events back ``event_lookback_days``: deleting events
        sooner would shrink those segments without a word."""
        if self.event_retention_days < self.event_lookback_days:
            raise ValueError(
                f"VENEER_EVENT_RETENTION_DAYS ({self.event_retention_days}) must be at least "
                f"VENEER_EVENT_LOOKBACK_DAYS ({self.event_lookback_days}), the days segment "
                "rules count events back over"
            )
        return self

    @field_validator("sensitive_traits_allowed")
    @classmethod
    def _basis_recorded(cls, value: dict[str, str]) -> dict[str, str]:
        for trait, basis in value.items():
            if not basis.strip():
                raise ValueError(f"{trait}: give the basis it is used on (GDPR Article 9(2))")
        return value

    @model_validator(mode="after")
    def _allowed_are_marked(self) -> Settings:
        """Allowing a trait nobody marked is a typo that would let the real one through."""
        marked = self.sensitive().marked
        unmarked = sorted(t for t in self.sensitive_traits_allowed if t not in marked)
        if unmarked:
            raise ValueError(
                f"VENEER_SENSITIVE_TRAITS_ALLOWED names {', '.join(unmarked)}, not marked as "
                "special-category data: mark it in VENEER_SENSITIVE_TRAITS, or drop it"
            )
        return self

    def sensitive(self) -> SensitiveTraits:
        """The special-category traits: marked by name or by the deployment, and allowed."""
        return SensitiveTraits(
            {**MARKED_BY_NAME, **self.sensitive_traits}, dict(self.sensitive_traits_allowed)
        )

    def propensity_event_types(self) -> list[str]:
        return [event.strip() for event in self.propensity_events.split(",") if event.strip()]

    def allowed_origins(self) -> tuple[str, ...]:
        """Origins every key may be used from, normalized (checked when settings are read)."""
        return normalize_origins(o for o in self.cors_origins.split(",") if o.strip())

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        normalize_origins(o for o in value.split(",") if o.strip())  # an OriginError names it
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return normalize_database_url(value)

    def signing_secret(self) -> str:
        """The HMAC key; demo mode falls back to a fixed, clearly named one."""
        if self.secret:
            return self.secret
        if self.demo:
            return DEMO_SECRET
        raise RuntimeError(
            "VENEER_SECRET is not set: it signs viewer tokens and must be a long random string; "
            "set it with export VENEER_SECRET=$(python3 -c "
            "'import secrets; print(secrets.token_urlsafe(48))')"
        )

    def sqlite_path(self) -> Path | None:
        """The SQLite file the URL names, so its folder can be created first."""
        prefix = "sqlite+aiosqlite:///"
        if self.database_url.startswith(prefix):
            path = self.database_url[len(prefix) :]
            if path and path != ":memory:":
                return Path(path)
        return None
