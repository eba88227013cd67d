"""The ISCG knowledge-graph web service (FastAPI)."""
