"""One module per rule. The module docstring is the rule's documentation; the class in it
carries the metadata (code, name, severity, dialects) and registers itself."""
