"""SQL on FHIR v2: run ViewDefinitions on DuckDB or Apache Spark.

``load_view``/``read_view`` validate a ViewDefinition, ``compile_view`` turns it into one SQL
query (dialects ``duckdb`` and ``spark-sql``), and the engines in :mod:`jakguide.sof.engines`
load a Bulk Data NDJSON folder and run it. Importing this package imports neither DuckDB nor
PySpark.
"""

from __future__ import annotations

from jakguide.sof.compiler import Compiled, compile_view
from jakguide.sof.errors import ViewError
from jakguide.sof.view import View, load_view, read_view

__all__ = ["Compiled", "View", "ViewError", "compile_view", "load_view", "read_view"]
