"""The SPARQL 1.1 Protocol endpoint, ``/sparql``: `protocol` (the request grammar, no I/O) -> `plan`
(a validated request, shared) -> `route` (the one handler) and `fastlane` (answers that need no
handler: a cached or proven-light GET)."""

from . import release_route  # noqa: F401  (registers /releases/{name}/sparql on the router)
from .fastlane import SparqlFastLane
from .route import router, sparql_endpoint

__all__ = ["SparqlFastLane", "router", "sparql_endpoint"]
