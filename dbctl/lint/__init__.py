"""Static migration linter: parses migration files with ``ast`` (never imports them), runs the
rules and checks the revision graph. It imports neither SQLAlchemy nor Alembic nor user code;
checks that need the models or a database are :mod:`dbctl.checks`.

* :mod:`~dbctl.lint.api` - :func:`~dbctl.lint.api.lint_project`, the entry point
* :mod:`~dbctl.lint.dialects` - which dialects' rules run, decided statically
* :mod:`~dbctl.lint.files` - which files to lint (versions directories, paths, ``--since``)
* :mod:`~dbctl.lint.parse` - one parse and one walk per file; revision headers
* :mod:`~dbctl.lint.syntax` - op calls and AST helpers the rules use
* :mod:`~dbctl.lint.sql` - literal SQL: resolved, parsed with pglast, split into statements
* :mod:`~dbctl.lint.graph` - the revision graph the graph rules look at
* :mod:`~dbctl.lint.suppressions` - ``# dbctl: ignore[...]`` comments
* :mod:`~dbctl.lint.engine` - dispatches each rule hook to the rules that implement it
* :mod:`~dbctl.lint.registry` - the :class:`~dbctl.lint.registry.Rule` base class and every rule
* :mod:`~dbctl.lint.rules` - one module per static rule
"""
