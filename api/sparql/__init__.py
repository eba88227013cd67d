"""The SPARQL 1.1 Protocol endpoint, ``/sparql``: `protocol` (the request grammar, no I/O) -> `plan`
(a validated request, shared) -> `route` (the handler) and `fastlane` (the same answers before
FastAPI's stack)."""

from .fastlane import SparqlFastLane
from .route import router, sparql_endpoint

__all__ = ["SparqlFastLane", "router", "sparql_endpoint"]
