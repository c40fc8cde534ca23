"""jakguide: sourced decision support for the JAK/TYK2-inhibitor treatment pathway."""

__version__ = "0.1.0"

__all__ = ["__version__"]
