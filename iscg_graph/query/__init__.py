"""Answering SPARQL: the engine and its layers, the safety scan and light proof, the canned-query
catalogue and the reports built on it."""
