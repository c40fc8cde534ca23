"""The web door: REST API (and later HTML pages) on FastAPI. Build it with ``create_app``."""

from jakguide.web.app import create_app

__all__ = ["create_app"]
