"""Clinical rules: one module per concept, pure functions over a ``Context`` and the knowledge."""
