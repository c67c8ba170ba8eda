"""What makes migrations safe to run from deploy pipelines: the migration lock."""
