"""Knowledge base: schema, strict loader and lookups."""

from jakguide.kb.base import Knowledge, bundled_knowledge, load_knowledge

__all__ = ["Knowledge", "bundled_knowledge", "load_knowledge"]
