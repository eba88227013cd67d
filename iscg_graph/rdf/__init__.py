"""The RDF layer: the store interface and embedded store, parsing and serialising, SHACL validation,
leases on built stores, RDFS entailment and the derived W3C ORG statements."""
