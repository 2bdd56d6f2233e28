"""dictanote: dictate a post-session summary, get a sectioned draft note, offline."""

__version__ = "0.1.0"

__all__ = ["__version__"]
