"""The only package that imports Alembic (and the only one that opens connections).

Alembic and SQLAlchemy objects stay inside; callers get :mod:`dbctl.results` dataclasses
and :mod:`dbctl.errors` exceptions.
"""
