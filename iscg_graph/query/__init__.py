"""Querying the graph: the engine and its layers, the safety scans, the canned-query catalogue."""
