"""The Typer command line: thin modules that unpack options, call :mod:`dbctl.api`, render."""
