"""Population scan: the rules as set-based SQL over SQL on FHIR views, on DuckDB or Spark.

``run_scan`` reads a FHIR Bulk Data export (``inputs``), builds the scan views and the knowledge
tables, runs the rules (``rules``) and returns the worklist; ``output`` writes it. Importing this
package imports neither DuckDB nor PySpark.
"""
