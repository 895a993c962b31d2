"""National scale: columnar ingest, the national registry, reach, engines (issue 11)."""
