"""A study bot for the speeches of party meetings: each speech is a pack under knowledge/."""

__version__ = "0.1.0"
