"""Declarative base, column types shared by every model, and the workflow mixin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import DateTime, Integer, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in time: stored as UTC, always returned timezone-aware (UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Workflowed:
    """A row that moves through a workflow definition, guarded by an optimistic lock.

    `version_id` is SQLAlchemy's version_id_col: an UPDATE that finds the row changed
    since it was loaded matches no row and raises StaleDataError.
    """

    __audit_type__: ClassVar[str]
    if TYPE_CHECKING:
        id: int  # every workflowed model has an integer primary key of its own

    workflow: Mapped[str] = mapped_column(String(64))
    workflow_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(64), index=True)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version_id}  # type: ignore[attr-defined]

    # Subclasses answer these so the engine's host can decide who may act.
    def owning_programme_id(self) -> int | None:
        raise NotImplementedError

    def owning_organisation_id(self) -> int | None:
        return None

    # The conflict-of-interest rule (grants.access.has_conflict) asks these: the organisation whose
    # members have a conflict on this case, and the bid (application) it belongs to, if any.
    def conflict_organisation_id(self) -> int | None:
        return self.owning_organisation_id()

    def bid_id(self) -> int | None:
        return None

    @property
    def reference(self) -> str:
        raise NotImplementedError
