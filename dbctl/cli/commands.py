"""Imports every command module so that each registers its commands on the app."""

from dbctl.cli import check, init, inspect, migrate, targets  # noqa: F401
