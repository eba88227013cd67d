"""Query-side services around the engine: diagnostics, known terms, labels."""
