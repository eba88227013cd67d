"""Namespaces used to read and present the graph, and the public-IRI <-> local-path mapping.

No rdflib/pyoxigraph globals are touched: prefixes are plain dicts handed to serialisers.
"""

from __future__ import annotations

import pyoxigraph as ox

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
ELI = "http://data.europa.eu/eli/ontology#"
SSSOM = "https://w3id.org/sssom/"
SEMAPV = "https://w3id.org/semapv/vocab/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SH = "http://www.w3.org/ns/shacl#"
VANN = "http://purl.org/vocab/vann/"

DEFAULT_BASE = "https://w3id.org/iscg/"  # the public base when the caller (settings, CLI) gives none
# The ontology's and the shapes' own namespaces: a published vocabulary keeps its IRIs whatever base
# a deployment mints its instances (id/, graph/) under; the ontology file, the shapes and the
# bundled queries name these.
ONTOLOGY_NS = DEFAULT_BASE + "ontology#"
SHAPES_NS = DEFAULT_BASE + "shapes#"

RDF_TYPE = ox.NamedNode(RDF + "type")
RDFS_LABEL = ox.NamedNode(RDFS + "label")
RDFS_COMMENT = ox.NamedNode(RDFS + "comment")
SKOS_PREF = ox.NamedNode(SKOS + "prefLabel")
SKOS_ALT = ox.NamedNode(SKOS + "altLabel")
SKOS_NOTATION = ox.NamedNode(SKOS + "notation")
SKOS_BROADER = ox.NamedNode(SKOS + "broader")
SKOS_IN_SCHEME = ox.NamedNode(SKOS + "inScheme")
SKOS_TOP_CONCEPT_OF = ox.NamedNode(SKOS + "topConceptOf")
SKOS_MEMBER = ox.NamedNode(SKOS + "member")
DCT_TITLE = ox.NamedNode(DCT + "title")
DCT_SOURCE = ox.NamedNode(DCT + "source")
FOAF_NAME = ox.NamedNode(FOAF + "name")


def prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Prefix -> namespace for everything the graph uses (the ontology's own first)."""
    return {
        "iscg": ONTOLOGY_NS,  # the vocabulary's, whatever the base (see ONTOLOGY_NS)
        "iscgsh": SHAPES_NS,
        "rdf": RDF,
        "rdfs": RDFS,
        "owl": OWL,
        "xsd": XSD,
        "skos": SKOS,
        "dct": DCT,
        "prov": PROV,
        "foaf": FOAF,
        "org": ORG,
        "eli": ELI,
        "sssom": SSSOM,
        "semapv": SEMAPV,
        "void": VOID,
        "dcat": DCAT,
        "sd": SD,
        "sh": SH,
    }


def curie(iri: str, table: dict[str, str]) -> str | None:
    """`https://w3id.org/iscg/ontology#Question` -> `iscg:Question` (longest namespace wins)."""
    best: tuple[int, str] | None = None
    for prefix, ns in table.items():
        if iri.startswith(ns) and (best is None or len(ns) > best[0]):
            local = iri[len(ns) :]
            if local and all(c.isalnum() or c in "_-." for c in local):
                best = (len(ns), f"{prefix}:{local}")
    return best[1] if best else None


def local_path(iri: str, base: str) -> str | None:
    """The path this service answers for a public IRI (`{base}id/x` -> `/id/x`), else None.

    Fragments stay on the path's document: `{base}ontology#Question` -> `/ontology#Question`.
    """
    if not iri.startswith(base):
        return None
    return "/" + iri[len(base) :]


def public_iri(path: str, base: str) -> str:
    """The reverse of `local_path`: `/id/x` (or `id/x`) -> `{base}id/x`."""
    return base + path.lstrip("/")


# Labels for terms of reused vocabularies the graph does not describe itself.
WELL_KNOWN_LABELS: dict[str, str] = {
    RDF + "type": "type",
    RDFS + "label": "label",
    RDFS + "comment": "comment",
    RDFS + "seeAlso": "see also",
    RDFS + "subClassOf": "subclass of",
    RDFS + "subPropertyOf": "subproperty of",
    RDFS + "domain": "domain",
    RDFS + "range": "range",
    SKOS + "prefLabel": "preferred label",
    SKOS + "altLabel": "alternative label",
    SKOS + "notation": "notation",
    SKOS + "broader": "broader",
    SKOS + "narrower": "narrower",
    SKOS + "inScheme": "in scheme",
    SKOS + "topConceptOf": "top concept of",
    SKOS + "hasTopConcept": "has top concept",
    SKOS + "member": "member",
    SKOS + "editorialNote": "editorial note",
    SKOS + "example": "example",
    SKOS + "definition": "definition",
    SKOS + "exactMatch": "exact match",
    SKOS + "closeMatch": "close match",
    SKOS + "relatedMatch": "related match",
    SKOS + "broadMatch": "broad match",
    SKOS + "narrowMatch": "narrow match",
    SKOS + "Concept": "concept",
    SKOS + "ConceptScheme": "concept scheme",
    SKOS + "Collection": "collection",
    DCT + "title": "title",
    DCT + "description": "description",
    DCT + "source": "source",
    DCT + "date": "date",
    DCT + "issued": "issued",
    DCT + "modified": "modified",
    DCT + "license": "licence",
    DCT + "subject": "subject",
    DCT + "publisher": "publisher",
    DCT + "PeriodOfTime": "period of time",
    FOAF + "page": "page",
    FOAF + "Document": "document",
    PROV + "wasAttributedTo": "attributed to",
    PROV + "Entity": "entity",
    PROV + "Activity": "activity",
    ORG + "Organization": "organisation",
    ORG + "OrganizationalUnit": "organisational unit",
    OWL + "Class": "class",
    OWL + "ObjectProperty": "object property",
    OWL + "DatatypeProperty": "datatype property",
    OWL + "NamedIndividual": "named individual",
    OWL + "Ontology": "ontology",
    VOID + "Dataset": "dataset",
    DCAT + "Dataset": "dataset",
}


# -- the mapping register's closed values (the tables, the curation forms and the shapes agree) ------
RELATION_KINDS = (
    "Recalls",
    "BackgroundText",
    "TopicalOverlap",
    "Collaboration",
    "LeadGroup",
    "ParallelText",
    "Duplicate",
    "Overlap",
    "Complementary",
    "AlreadyCoordinated",
    "BasisForStudy",
    "Cites",
)
RELATION_PHRASES = {  # how a mapping record reads: "<subject> <phrase> <object>"
    "Recalls": "recalls",
    "BackgroundText": "is background text for",
    "TopicalOverlap": "overlaps in topic with",
    "Collaboration": "collaborates with",
    "LeadGroup": "has as lead group",
    "ParallelText": "is a parallel text of",
    "Duplicate": "duplicates",
    "Overlap": "overlaps with",
    "Complementary": "complements",
    "AlreadyCoordinated": "is already coordinated with",
    "BasisForStudy": "is a basis for study in",
    "Cites": "cites",
}
STATUSES = ("Asserted", "Proposed", "Accepted", "Rejected")
JUSTIFICATIONS = ("ManualMappingCuration", "LexicalMatching", "BackgroundKnowledgeBasedMatching")
