"""Representations: one content negotiation, one way to render a table in each format."""
