"""SQLAlchemy models, a module per area. The same models serve SQLite and PostgreSQL;
Alembic owns the schema. Imported from here, wherever they are defined."""

from veneer.store.model_tables.base import Base, JSONValue, UTCDateTime, utcnow
from veneer.store.model_tables.events import (
    EventReceiptRow,
    EventRow,
    PersonalizationCountRow,
    QualityCountRow,
)
from veneer.store.model_tables.learned import (
    EntryPopularityRow,
    PropensityModelRow,
    PropensityScoreRow,
    RecommendationModelRow,
    RecommendationModelViewerRow,
)
from veneer.store.model_tables.people import (
    ApiKeyRow,
    ConsentRecordRow,
    ErasureRow,
    IdentityLinkRow,
    MergeRow,
    PartnerTraitsRow,
    ProfileRow,
)
from veneer.store.model_tables.running import (
    AuditRow,
    ExperimentRow,
    ExposureRow,
    LeaseRow,
    PlacementRow,
    TriggerOfferRow,
    TriggerRow,
    TrustedDocumentRow,
)
from veneer.store.model_tables.segments import (
    ClusterAssignmentRow,
    ClusterModelRow,
    SegmentChangeRow,
    SegmentMemberRow,
    SegmentRow,
    SegmentSizeRow,
)

__all__ = [
    "ApiKeyRow",
    "AuditRow",
    "Base",
    "ClusterAssignmentRow",
    "ClusterModelRow",
    "ConsentRecordRow",
    "EntryPopularityRow",
    "ErasureRow",
    "EventReceiptRow",
    "EventRow",
    "ExperimentRow",
    "ExposureRow",
    "IdentityLinkRow",
    "JSONValue",
    "LeaseRow",
    "MergeRow",
    "PartnerTraitsRow",
    "PersonalizationCountRow",
    "PlacementRow",
    "ProfileRow",
    "PropensityModelRow",
    "PropensityScoreRow",
    "QualityCountRow",
    "RecommendationModelRow",
    "RecommendationModelViewerRow",
    "SegmentChangeRow",
    "SegmentMemberRow",
    "SegmentRow",
    "SegmentSizeRow",
    "TriggerOfferRow",
    "TriggerRow",
    "TrustedDocumentRow",
    "UTCDateTime",
    "utcnow",
]
