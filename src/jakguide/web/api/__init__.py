"""The REST API: stateless endpoints (``stateless``), record CRUD (``records``), what a record
means (``record_views``), and request documents (``documents``)."""
