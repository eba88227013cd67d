"""Curating the graph through the service: accounts, the validated write path, the change journal,
hostile-input parsing, SPARQL Update with a protocol dataset (issue 13)."""
