"""Static migration linter: parses migration files with ``ast`` (never imports them), runs the
rules of :mod:`dbctl.lint.rules` and checks the revision graph.

The entry point is :func:`dbctl.lint.api.lint_project`.
"""
