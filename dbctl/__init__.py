"""dbctl: a schema and migration manager for SQLAlchemy projects, built on Alembic."""

__version__ = "0.1.0"
