"""A study bot for one speech: 局2022年第一季度党建工作例会暨党风廉政建设推进会."""

__version__ = "0.1.0"
