"""Configuration: find, parse and validate dbctl.toml or [tool.dbctl] in pyproject.toml."""

from dbctl.config.loader import find_config_file, load_config
from dbctl.config.model import LintConfig, ProjectConfig, TargetConfig

__all__ = ["LintConfig", "ProjectConfig", "TargetConfig", "find_config_file", "load_config"]
