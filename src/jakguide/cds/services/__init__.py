"""One module per service (named by ``module`` in ``service-definitions.json``); each exposes
``cards(call) -> list[CardSpec]``."""
