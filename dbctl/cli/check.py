"""Commands: check."""
