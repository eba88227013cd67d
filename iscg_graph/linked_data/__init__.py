"""Linked-data pages: describe a resource, thesauri, neighbours, search, ontology and query docs."""
