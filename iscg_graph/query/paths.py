"""Example queries that walk the graph's main paths, for the ``/docs/examples`` page.

Each one is a complete query (its own PREFIX lines) that a test runs against the built data and
expects rows from, so the page cannot drift from the data.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..vocab import prefixes


@dataclass(frozen=True)
class PathExample:
    name: str
    title: str
    path: str  # the path walked, in words
    text: str


def _head(base: str, names: tuple[str, ...]) -> str:
    table = prefixes(base)
    return "\n".join(f"PREFIX {n}: <{table[n]}>" for n in names) + "\n\n"


_BODIES: tuple[tuple[str, str, str, tuple[str, ...], str], ...] = (
    ("question-group-sector-period", "A Question's study group, Sector and study period",
     "Question → iscg:studyGroup → study group → iscg:sector → Sector; Question → iscg:studyPeriod → period",
     ("iscg", "rdfs", "skos"),
     """SELECT ?question ?number ?group ?sector ?period WHERE {
  ?q a iscg:Question ; skos:notation ?number ; rdfs:label ?question ;
     iscg:studyGroup ?sg ; iscg:studyPeriod ?p ; iscg:questionOrdinal ?ordinal .
  ?sg skos:notation ?group ; iscg:sector ?s .
  ?s skos:notation ?sector .
  ?p skos:notation ?period .
  FILTER(LANG(?question) = "en")
}
ORDER BY ?sector ?period ?group ?ordinal
LIMIT 50
"""),
    ("study-groups-of-a-sector", "Study groups as units of their Sector (W3C ORG)",
     "study group → org:subOrganizationOf → Sector; working party → iscg:parentGroup → study group",
     ("iscg", "rdfs", "skos", "org"),
     """SELECT ?sector ?group ?unit WHERE {
  ?sg a iscg:StudyGroup ; org:subOrganizationOf ?s ; skos:notation ?group .
  ?s a iscg:Sector ; skos:notation ?sector .
  OPTIONAL { ?wp iscg:parentGroup ?sg ; skos:notation ?unit }
}
ORDER BY ?sector ?group ?unit
LIMIT 100
"""),
    ("question-themes-list", "The themes a Question addresses, and the list each theme is in",
     "Question → iscg:addressesTheme → theme → skos:inScheme → theme list (Annex §)",
     ("iscg", "rdfs", "skos"),
     """SELECT ?question ?theme ?list ?section WHERE {
  ?q a iscg:Question ; rdfs:label ?question ; iscg:addressesTheme ?t .
  ?t skos:prefLabel ?theme ; skos:inScheme ?scheme .
  ?scheme skos:prefLabel ?list ; skos:notation ?section .
  FILTER(LANG(?question) = "en" && LANG(?theme) = "en" && LANG(?list) = "en")
}
ORDER BY ?question ?section
LIMIT 100
"""),
    ("mappings-with-provenance", "Cross-Sector mappings with their provenance",
     "mapping → iscg:subject / iscg:object → items; → iscg:relationKind, dct:source, prov:wasAttributedTo, "
     "iscg:confidence",
     ("iscg", "rdfs", "dct", "prov"),
     """SELECT ?mapping ?subject ?kind ?object ?source ?assertedBy ?confidence WHERE {
  ?mapping a iscg:Mapping ;         # cross-Sector; ?mapping a iscg:Link adds the curated theme links
           iscg:subject ?s ; iscg:object ?o ; iscg:relationKind ?k ;
           dct:source ?source ; iscg:confidence ?c .
  OPTIONAL { ?mapping prov:wasAttributedTo ?assertedBy }
  ?s rdfs:label ?subject . ?o rdfs:label ?object .
  ?k rdfs:label ?kind . ?c rdfs:label ?confidence .
  FILTER(LANG(?subject) = "en" && LANG(?object) = "en" && LANG(?kind) = "en" && LANG(?confidence) = "en")
}
ORDER BY ?mapping
LIMIT 100
"""),
    ("resolution-versions", "The versions of a Resolution, conference by conference",
     "Resolution → iscg:hasVersion → version → iscg:adoptedAt → conference edition; version → iscg:revises "
     "→ earlier version",
     ("iscg", "rdfs", "skos"),
     """SELECT ?resolution ?revision ?adoptedAt ?revises WHERE {
  ?r a iscg:Resolution ; skos:notation ?resolution ; iscg:hasVersion ?v .
  ?v iscg:revisionLabel ?revision .
  OPTIONAL { ?v iscg:adoptedAt/rdfs:label ?adoptedAt FILTER(LANG(?adoptedAt) = "en") }
  OPTIONAL { ?v iscg:revises/iscg:revisionLabel ?revises }
}
ORDER BY ?resolution ?revision
LIMIT 100
"""),
)


def path_examples(base: str) -> tuple[PathExample, ...]:
    return tuple(PathExample(name, title, path, _head(base, names) + body)
                 for name, title, path, names, body in _BODIES)
