"""The keys the data tables cite (``ITU-T:2017-2020:Q4/17``, ``PP:191``, ``theme:…``, ``doc:…``),
read back from the graph, so that a table imported into a store resolves its references as the
build resolved them from the folder of tables.

`graph_context` returns a build `Context` holding every key of the store with its IRI, kind and
Sector, the study periods, Resolution versions and conference editions the converters consult, and
a helper graph (``CONTEXT_GRAPH``) with the labels of the store's items and themes, which the
converters read to word the labels of links. Nothing here writes to the store.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from ..build.tables._context import Context, Item
from ..rdf.store import EmbeddedStore
from ..vocab import ONTOLOGY_NS

__all__ = ["CONTEXT_GRAPH", "graph_context"]

CONTEXT_GRAPH = "urn:iscg:import-context"
_GROUPS = ("StudyGroup", "WorkingParty", "TaskGroup", "JointTaskGroup")
_ORGS = {"Sector": "unionpart", "GeneralSecretariat": "unionpart", "Bureau": "bureau",
         "AdvisoryGroup": "advisory-group"}
# id/<folder>/<slug> → (key prefix, kind), as the coordination tables register them
_SIMPLE = {"agent": ("agent", "agent"), "body": ("body", "body"), "meeting": ("meeting", "meeting"),
           "document": ("doc", "document"), "outcome": ("outcome", "outcome")}


def _rows(store: EmbeddedStore, body: str) -> Iterator[dict[str, str]]:
    o = ONTOLOGY_NS
    query = (f"PREFIX o: <{o}> PREFIX skos: <{SKOS}> PREFIX dct: <http://purl.org/dc/terms/> "
             f"SELECT * WHERE {{ {body} }}")
    for row in store.select(query):
        yield {k: getattr(v, "value", str(v)) for k, v in row.items()}


def graph_context(store: EmbeddedStore, base: str) -> Context:
    """A conversion context whose registry holds every key the store's items were built from."""
    ctx = Context(base=base, dataset=Dataset())
    keys = ctx.keys

    def put(key: str, iri: str, kind: str, sector: str | None) -> None:
        keys.setdefault(key, Item(URIRef(iri), kind, sector))

    for cls, kind in _ORGS.items():
        for r in _rows(store, f"?x a o:{cls} ; skos:notation ?n . "
                              "OPTIONAL { ?x o:sector/skos:notation ?s }"):
            put(r["n"], r["x"], kind, r["n"] if kind == "unionpart" else r.get("s"))
    for r in _rows(store, "?x a o:StudyPeriod ; skos:notation ?n ; o:startYear ?y ; "
                          "o:sector/skos:notation ?s"):
        put(f"{r['s']}:{r['n']}", r["x"], "period", r["s"])
        ctx.periods.setdefault(r["s"], []).append((int(r["y"]), r["n"]))
    for cls, kind in [(c, "group") for c in _GROUPS] + [("Question", "question")]:
        for r in _rows(store, f"?x a o:{cls} ; skos:notation ?n ; o:sector/skos:notation ?s ; "
                              "o:studyPeriod/skos:notation ?p"):
            put(f"{r['s']}:{r['p']}:{r['n']}", r["x"], kind, r["s"])
    for r in _rows(store, "?x a o:Conference ; skos:notation ?n ; o:sector/skos:notation ?s"):
        put(r["n"], r["x"], "conference", r["s"])
    for r in _rows(store, "?x a o:ConferenceEdition ; skos:notation ?n ; "
                          "o:editionOf/o:sector/skos:notation ?s . OPTIONAL { ?x o:startDate ?d }"):
        put(r["n"], r["x"], "edition", r["s"])
        nominal = int(r["x"].rsplit("/", 1)[1])
        start = r.get("d", "")
        ctx.edition_years[r["n"]] = (nominal, int(start[:4]) if start[:4].isdigit() else nominal)
    for r in _rows(store, "?x a o:Resolution ; o:resolutionNumber ?n ; o:adoptedBy/skos:notation ?c ; "
                          "o:sector/skos:notation ?s"):
        put(f"{r['c']}:{r['n']}", r["x"], "resolution", r["s"])
    for r in _rows(store, "?x a o:ResolutionVersion ; o:versionOf ?w ; dct:issued ?y . "
                          "?w o:resolutionNumber ?n ; o:adoptedBy/skos:notation ?c ; "
                          "o:sector/skos:notation ?s"):
        work = f"{r['c']}:{r['n']}"
        put(f"{work}:{r['y']}", r["x"], "version", r["s"])
        ctx.versions.setdefault(work, []).append((int(r["y"]), URIRef(r["x"])))
    _by_path(store, ctx, base)
    _labels(store, ctx)
    return ctx


def _by_path(store: EmbeddedStore, ctx: Context, base: str) -> None:
    """Keys that are the IRI's own path: schemes, themes, agents, bodies, documents, mappings."""
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    seen: set[str] = set()
    for quad in store.inner.quads_for_pattern(None, rdf_type, None, None):
        iri = getattr(quad.subject, "value", "")
        if iri in seen or not iri.startswith(base + "id/"):
            continue
        seen.add(iri)
        folder, _, rest = iri[len(base) + 3:].partition("/")
        if folder in _SIMPLE and "/" not in rest:
            prefix, kind = _SIMPLE[folder]
            ctx.keys.setdefault(f"{prefix}:{rest}", Item(URIRef(iri), kind, None))
        elif folder == "scheme" and "/" not in rest:
            ctx.keys.setdefault(f"scheme:{rest}", Item(URIRef(iri), "scheme", None))
        elif folder == "theme" and "/" in rest:
            scheme, _, notation = rest.partition("/")
            ctx.keys.setdefault(f"theme:{scheme}:{notation}", Item(URIRef(iri), "theme", None))


def _labels(store: EmbeddedStore, ctx: Context) -> None:
    """English labels of every item, and theme labels with their scheme's section, into the helper
    graph: the link converters word "<item> addresses the theme <theme> (§1.2)" from them."""
    graph = ctx.dataset.graph(URIRef(CONTEXT_GRAPH))
    for r in _rows(store, "?x <http://www.w3.org/2000/01/rdf-schema#label> ?l "
                          "FILTER(LANGMATCHES(LANG(?l), 'en'))"):
        graph.add((URIRef(r["x"]), RDFS.label, Literal(r["l"], lang="en")))
    for r in _rows(store, "?t skos:prefLabel ?l ; skos:inScheme ?s . ?s skos:notation ?n "
                          "FILTER(LANGMATCHES(LANG(?l), 'en'))"):
        graph.add((URIRef(r["t"]), SKOS.prefLabel, Literal(r["l"], lang="en")))
        graph.add((URIRef(r["t"]), SKOS.inScheme, URIRef(r["s"])))
        graph.add((URIRef(r["s"]), SKOS.notation, Literal(r["n"])))
