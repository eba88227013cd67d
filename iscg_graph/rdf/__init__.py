"""The RDF layer: the store interface and embedded store, parsing and serialising, SHACL validation,
RDFS entailment and the derived W3C ORG statements."""
