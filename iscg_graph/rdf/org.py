"""W3C ORG statements derived from the tables, so the data carries the ORG properties the ontology
claims (README, ``ontology/iscg.ttl``): study groups, bureaux and advisory groups are
sub-organisations of their Sector, working parties of their study group, and the Union parts,
bureaux and advisory groups taking part in a coordination body are its members.

- ``org:subOrganizationOf`` (and its inverse ``org:hasSubOrganization``): a study group (not a
  working party, task group or joint task group: those have ``iscg:parentGroup``, which is a
  sub-property of ``org:subOrganizationOf``) → its ``iscg:sector``; a bureau and an advisory group →
  its ``iscg:sector``; the inverse also for every ``iscg:parentGroup``.
- ``org:memberOf``: the inverse of ``iscg:hasMember`` (a sub-property of ``org:hasMember``).

``org:hasUnit`` / ``org:unitOf`` are not used: their domain and range are ``org:FormalOrganization``
and ``org:OrganizationalUnit``, and the graph has no resource for the ITU itself, the only formal
organisation here; a Sector is a unit, and a study group is a unit *of a unit*, which ORG expresses
with ``org:subOrganizationOf``.

Each derived triple goes into the named graph of the statement it comes from, so it has the same
source and is validated with it.
"""

from __future__ import annotations

from typing import Any

import rdflib
from rdflib.namespace import RDF

from ..vocab import ONTOLOGY_NS

ORG = rdflib.Namespace("http://www.w3.org/ns/org#")


def derive_org(dataset: rdflib.Dataset) -> int:
    """Add the ORG statements to ``dataset``; returns how many were new."""
    iscg = rdflib.Namespace(ONTOLOGY_NS)  # the vocabulary's namespace, whatever the public base
    units_of_sector = {iscg.StudyGroup, iscg.Bureau, iscg.AdvisoryGroup}
    adds: list[tuple[Any, Any, Any, Any]] = []
    typed: dict[rdflib.term.Node, set[rdflib.term.Node]] = {}
    for s, _p, o, _g in dataset.quads((None, RDF.type, None, None)):
        typed.setdefault(s, set()).add(o)
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if p == iscg.sector and typed.get(s, set()) & units_of_sector:
            adds += [(s, ORG.subOrganizationOf, o, g), (o, ORG.hasSubOrganization, s, g)]
        elif p == iscg.parentGroup:
            adds.append((o, ORG.hasSubOrganization, s, g))
        elif p == iscg.hasMember:
            adds.append((o, ORG.memberOf, s, g))
    new = 0
    for s, p, o, g in adds:
        graph = dataset.graph(g)
        if (s, p, o) not in graph:
            graph.add((s, p, o))
            new += 1
    return new
