"""Commands: migrate."""
