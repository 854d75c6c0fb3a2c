"""`conflictlens serve`: the JSON API (documented at /docs) and the analysts' desk, offline."""

from conflictlens.web.app import create_app

__all__ = ["create_app"]
