"""A small blogging-and-shop application used to demonstrate dbctl.

The schema lives in :mod:`app.models`; the migrations that build it live in
``migrations/versions`` and are managed with dbctl.
"""
