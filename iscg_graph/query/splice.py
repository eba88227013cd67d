"""Typed substitutions written into a query text, for a SPARQL server that takes none.

The embedded store binds a canned query's parameters with pyoxigraph's ``substitutions``: the
variable stands for the term everywhere in the query, sub-queries included. A SPARQL 1.1 server
over HTTP has no such option, so the remote engine sends the text with each substituted variable
replaced by its term:

- in a ``SELECT`` projection ``?v`` stays, and the query's WHERE group ends with
  ``VALUES ?v { <term> }``: one solution joined with the group's (the variable is nowhere else in
  it), so the column keeps its value whether or not the pattern bound it (``SELECT *`` too), as with
  pyoxigraph's substitutions. Not a ``VALUES`` after the whole query: SPARQL 1.1 allows it there,
  but Virtuoso 7 then answers no rows at all;
- after ``GROUP BY`` ``?v`` stays too (bound to the one term by that ``VALUES``: one group, and a
  sub-query projecting it stays valid); after ``ORDER BY``, ``(<term>)`` (a bare term is no condition);
- ``AS ?v`` is left alone (a ``BIND`` to the variable keeps working);
- everywhere else (triple patterns, ``FILTER``, ``BIND``, function arguments, sub-queries' patterns
  and ``CONSTRUCT`` templates) the term itself.

The terms are N-Triples strings already checked as one RDF term (`iscg_graph.query.engine.parse_term`)
and re-serialised by pyoxigraph, so nothing but one term is ever written into the text. Strings,
IRIs and comments of the query are single tokens of the lexer, never rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping

from .engine import parse_term
from .safety import tokens

__all__ = ["splice"]


def splice(sparql: str, substitutions: Mapping[str, str]) -> str:
    """``sparql`` with every variable named in ``substitutions`` replaced by its term."""
    if not substitutions:
        return sparql
    terms = {name.lstrip("?$"): str(parse_term(nt)) for name, nt in substitutions.items()}
    out: list[str] = []
    last = 0
    in_projection = False  # between SELECT and the first { or WHERE / FROM
    in_condition = False   # after GROUP BY / ORDER BY, until the next { } or clause keyword
    form = ""
    previous = ""
    depth = 0
    values_written = False
    for tok in tokens(sparql):
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
            if depth == 0 and form == "SELECT" and not values_written:  # the WHERE group's end
                out.append(sparql[last:tok.offset])
                out.append(_values(terms))
                last, values_written = tok.offset, True
        upper = tok.text.upper() if tok.kind == "word" else ""
        if not form and upper in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            form = upper
        if upper == "SELECT":
            in_projection, in_condition = True, False
        elif upper in ("WHERE", "FROM") or tok.text in ("{", "}"):
            in_projection = in_condition = False
        elif upper == "BY" and previous == "ORDER":
            in_condition = True
        elif upper == "BY" and previous == "GROUP":
            in_projection = True  # group keys stay variables, as projections do
        elif upper in ("HAVING", "LIMIT", "OFFSET", "VALUES", "ORDER"):
            in_projection = in_condition = False
        if tok.kind == "var" and tok.text[1:] in terms and previous != "AS" and not in_projection:
            term = terms[tok.text[1:]]
            out.append(sparql[last:tok.offset])
            out.append(f"({term})" if in_condition else term)
            last = tok.offset + len(tok.text)
        previous = upper or tok.text
    out.append(sparql[last:])
    return "".join(out)


def _values(terms: Mapping[str, str]) -> str:
    names = sorted(terms)
    row = " ".join(terms[name] for name in names)
    return f"\n  VALUES ({' '.join('?' + name for name in names)}) {{ ({row}) }}\n"
