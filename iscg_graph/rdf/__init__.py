"""RDF-level building blocks: entailment."""
