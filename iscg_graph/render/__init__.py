"""Presenting results: content negotiation, result formats, tables as CSV/XLSX/HTML/JSON, RDF documents."""
