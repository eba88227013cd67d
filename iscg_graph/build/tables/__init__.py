"""Data tables (``data/<folder>/*.csv``) → one rdflib Dataset, a named graph per folder.

Every CSV of a folder is read whatever its name; the kind of table is recognised from its header
(see ``_kinds.KINDS``). ``*.ttl`` files are parsed into their folder's graph. Conversion has two passes:
every row first registers its key (``ITU-T:2017-2020:Q4/17``, ``PP:191``, ``body:iscg`` …) and IRI,
then rows emit triples, resolving the keys they cite; an unknown key is a `DanglingKeyError` naming
file, line and column. Input is read in sorted order and IRIs come from keys only, so the same tables
always give the same graph. Table formats: ``docs/notes/data.md``.

Modules, each depending only on those above it::

    _context        Row, Item, Context (key registry, graph being written), slug, split_list
    _cells          cells every table shares (label, source, confidence, notes) and cell formats
    _organisations  Sectors, General Secretariat, Bureaux, advisory groups
    _groups         study periods, study groups, Questions
    _resolutions    conferences, editions, Resolutions, versions, mandates
    _coordination   agents, bodies, meetings, documents, outcomes
    _themes         theme schemes and themes
    _links          theme links and the mappings register
    _kinds          header → table kind, in registration order
    _loader         folder walk, the two passes, `Tables`
"""

from ...vocab import DEFAULT_BASE
from ._context import slug, split_list
from ._loader import Tables, load_tables

__all__ = ["DEFAULT_BASE", "Tables", "load_tables", "slug", "split_list"]
