"""Commands: init."""
