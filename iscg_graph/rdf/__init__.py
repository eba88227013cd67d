"""RDF storage: the store interface, the embedded store, and who may still be reading a build."""
