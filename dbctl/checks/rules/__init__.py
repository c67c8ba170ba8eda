"""One module per rule that needs the models or a database (DB7xx, DB8xx). As in
:mod:`dbctl.lint.rules`, the module docstring is the rule's documentation and the class carries
its metadata and its logic; importing a module here imports no SQLAlchemy, Alembic or user code
(the hooks do, when they run)."""
