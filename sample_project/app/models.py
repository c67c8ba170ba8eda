"""SQLAlchemy 2.0 models of the sample application.

Conventions this project follows (and its migrations mirror exactly):

* every constraint and index gets its name from ``Base.metadata``'s naming convention, so
  ``alembic`` can drop and alter them by name on every backend;
* indexes and unique constraints are declared explicitly in ``__table_args__`` (never with
  ``index=True`` / ``unique=True``), and every foreign-key column is indexed;
* relationships state their loading strategy: collections default to ``lazy="raise"`` so that
  N+1 queries fail loudly, and the few relationships that are always needed load eagerly.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Mixin columns sort after the table's own columns, in the order the migrations create them.


class TimestampMixin:
    """``created_at`` / ``updated_at``, filled in by the database."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), sort_order=100)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), sort_order=101
    )


class SoftDeleteMixin:
    """Rows are marked deleted instead of being removed."""

    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), sort_order=102)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def soft_delete(self) -> None:
        self.deleted_at = datetime.now(UTC)


user_roles = Table(
    "user_roles",
    Base.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("role_id", Integer, ForeignKey("roles.id", ondelete="CASCADE"), nullable=False),
    Column("granted_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    # The primary key's leading column indexes user_id; role_id needs its own index.
    PrimaryKeyConstraint("user_id", "role_id"),
    Index(None, "role_id"),
)


class User(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(server_default=true())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    posts: Mapped[list[Post]] = relationship(
        back_populates="author", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )
    orders: Mapped[list[Order]] = relationship(back_populates="user", lazy="raise")
    roles: Mapped[set[Role]] = relationship(secondary=user_roles, back_populates="users", lazy="selectin")

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r})"


class Role(Base):
    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(String(255))

    users: Mapped[list[User]] = relationship(secondary=user_roles, back_populates="roles", lazy="raise")

    def __repr__(self) -> str:
        return f"Role(id={self.id!r}, name={self.name!r})"


class Post(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "posts"
    __table_args__ = (
        Index(None, "author_id"),
        Index(None, "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    author: Mapped[User] = relationship(back_populates="posts", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"Post(id={self.id!r}, title={self.title!r})"


class OrderStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


class Order(TimestampMixin, Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'paid', 'shipped', 'cancelled')", name="status"),
        CheckConstraint("total >= 0", name="total_non_negative"),
        Index(None, "user_id"),
        Index(None, "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), server_default="EUR")
    status: Mapped[str] = mapped_column(
        String(20), default=OrderStatus.PENDING.value, server_default=OrderStatus.PENDING.value
    )

    user: Mapped[User] = relationship(back_populates="orders", lazy="selectin")

    def __repr__(self) -> str:
        return f"Order(id={self.id!r}, status={self.status!r}, total={self.total!r})"
