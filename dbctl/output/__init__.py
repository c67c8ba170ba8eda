"""The one place that turns results into text, tables and JSON. Owns the consoles."""
