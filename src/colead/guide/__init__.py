"""The conversation guide: rules (``rules.yaml``, documented in README.md beside it) that turn
a school's results into strengths to build on and questions to discuss."""

from colead.guide.describe import describe
from colead.guide.engine import conversation_guide
from colead.guide.rules import RuleSet, load_rules

__all__ = ["RuleSet", "conversation_guide", "describe", "load_rules"]
