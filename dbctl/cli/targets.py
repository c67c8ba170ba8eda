"""Commands: targets."""
