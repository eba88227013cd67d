"""Answering SPARQL: the engine and its layers, the safety scan and light proof, the canned-query
catalogue and the reports built on it; and what the service adds for people around the engine:
diagnostics, known terms, labels, class profiles, request options."""
