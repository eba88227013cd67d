"""Proving a query light: a bound on its work, from its text and the store's own counts.

A query runs in a killable worker process because nothing can stop it once it runs in-process.
But most requests an endpoint gets are lookups (the label of one resource, the properties of one
Question) whose work is tiny and bounded; sending those to a worker costs more than running them
(two process wake-ups against a 20 µs query). `prove_light` decides, *before* anything runs,
whether a query can be run where it is asked, by proving an upper bound on the rows it can touch:

- The text must be short and fit a strict subset of SPARQL: ``SELECT``/``ASK``/``CONSTRUCT`` over
  one group of triple patterns with ``FILTER`` and ``OPTIONAL`` groups, simple terms (IRIs,
  prefixed names, variables, blank-node labels, plain literals), and solution modifiers. No
  property paths, subqueries, ``UNION``/``MINUS``/``GRAPH``/``VALUES``/``BIND``/``SERVICE``,
  ``EXISTS``, numbers inside patterns, or anything the subset does not know.
- Expressions (projection, ``FILTER``, ``ORDER BY``, ``GROUP BY``, ``HAVING``) may only call
  functions whose result is no larger than their input (``STR``, ``LANG``, ``REGEX``, ``COUNT``…):
  ``REPLACE``/``CONCAT`` nested in one another can grow a string exponentially per row.
- Every triple pattern is counted in the store with its constant terms (any other term, such as a
  literal with a language tag, a relative IRI or a repeated variable, counts as a variable, which
  can only make the count larger). Whatever join order or algorithm the engine picks, no
  intermediate result can hold more solutions than the product of those counts, taken over every
  pattern of the query (an ``OPTIONAL`` one counted as at least 1: a left join keeps the solutions
  its optional part does not match). The query is light when the product is at most ``max_rows``.

Anything the subset does not recognise is simply not light: it runs in a worker, as before. The
module never decides what a query *means*; Oxigraph parses and runs it either way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .safety import Token, token_list

__all__ = ["LightProof", "Pattern", "prove_light", "patterns"]

MAX_TEXT = 2048      # characters: bounds expression size (regex compile, per-row evaluation)
MAX_PATTERNS = 16

# Functions and keywords an expression may use: results no larger than their inputs, linear time.
# (Oxigraph's REGEX is the Rust regex crate: no backtracking, linear in the input.)
_EXPRESSION_WORDS = frozenset({
    "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "SAMETERM", "ISIRI", "ISURI", "ISBLANK",
    "ISLITERAL", "ISNUMERIC", "REGEX", "CONTAINS", "STRSTARTS", "STRENDS", "STRLEN", "LCASE", "UCASE",
    "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "SEPARATOR", "DISTINCT", "AS",
    "IN", "NOT", "TRUE", "FALSE", "ASC", "DESC",
})
_MODIFIER_WORDS = frozenset({"GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET"})
_OPERATORS = frozenset("()!=<>&|+-*/,.")
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_LOCAL = re.compile(r"^[A-Za-z0-9_\-.]*$")


@dataclass(frozen=True)
class Pattern:
    """One triple pattern: each position an absolute IRI, a plain literal's lexical form (as
    ``("literal", text)``), or None for anything counted as a variable."""

    subject: str | None
    predicate: str | None
    object: str | tuple[str, str] | None
    optional: bool = False  # inside an OPTIONAL group: it can add solutions' columns, never remove them


@dataclass(frozen=True)
class LightProof:
    patterns: tuple[Pattern, ...]
    bound: int  # product of the patterns' counts: no intermediate result is larger


class _NotLight(Exception):
    pass


def prove_light(text: str, count: Callable[[Pattern, int], int], max_rows: int) -> LightProof | None:
    """A proof that ``text`` touches at most ``max_rows`` solutions, or None.

    ``count(pattern, cap)`` returns how many stored quads match ``pattern`` (it may stop counting
    past ``cap`` and return any number above it).
    """
    found = patterns(text)
    if found is None:
        return None
    bound = 1
    # the most selective first, so a count that is zero ends the work early
    for pattern in sorted(found, key=_constants, reverse=True):
        n = count(pattern, max_rows)
        if n == 0 and not pattern.optional:  # an inner join with nothing is empty
            return LightProof(found, 0)
        bound *= max(n, 1)  # a left join keeps every left solution, even when its right side is empty
        if bound > max_rows:
            return None
    return LightProof(found, bound)


def _constants(p: Pattern) -> int:
    return sum(term is not None for term in (p.subject, p.predicate, p.object))


def patterns(text: str) -> tuple[Pattern, ...] | None:
    """Every triple pattern of a query in the light subset, or None if it is outside the subset."""
    if len(text) > MAX_TEXT or "\\" in text:  # \u escapes apply to the whole text before parsing
        return None
    try:
        return _Parser(token_list(text)).query()
    except _NotLight:
        return None


class _Parser:
    def __init__(self, toks: Sequence[Token]):
        self.toks = toks
        self.i = 0
        self.base: str | None = None
        self.prefixes: dict[str, str] = {}
        self.found: list[Pattern] = []

    # -- token helpers ----------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token | None:
        k = self.i + ahead
        return self.toks[k] if k < len(self.toks) else None

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise _NotLight
        self.i += 1
        return tok

    def word(self, *words: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == "word" and tok.text.upper() in words:
            self.i += 1
            return True
        return False

    def symbol(self, text: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == "other" and tok.text == text:
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.symbol(text):
            raise _NotLight

    # -- the grammar subset -----------------------------------------------------------------------
    def query(self) -> tuple[Pattern, ...]:
        self.prologue()
        if self.word("SELECT"):
            self.word("DISTINCT", "REDUCED")
            self.projection()
            self.dataset()
            self.word("WHERE")
            self.group()
        elif self.word("ASK"):
            self.dataset()
            self.word("WHERE")
            self.group()
        elif self.word("CONSTRUCT"):
            tok = self.peek()
            if tok is not None and tok.kind == "other" and tok.text == "{":
                self.template()
                self.dataset()
                self.word("WHERE")
                self.group()
            else:  # CONSTRUCT WHERE { triples }: the template is the pattern
                self.dataset()
                if not self.word("WHERE"):
                    raise _NotLight
                self.group(triples_only=True)
        else:
            raise _NotLight
        self.modifiers()
        if len(self.found) > MAX_PATTERNS:
            raise _NotLight
        return tuple(self.found)

    def prologue(self) -> None:
        while True:
            if self.word("BASE"):
                tok = self.next()
                if tok.kind != "iri":
                    raise _NotLight
                self.base = self.absolute(tok.text[1:-1])
            elif self.word("PREFIX"):
                name, iri = self.next(), self.next()
                if name.kind != "pname" or not name.text.endswith(":") or iri.kind != "iri":
                    raise _NotLight
                self.prefixes[name.text[:-1]] = self.absolute(iri.text[1:-1]) or ""
            else:
                return

    def absolute(self, iri: str) -> str | None:
        """The IRI, if resolving it against any base leaves it unchanged: absolute, no dot segments
        (anything else counts as a variable)."""
        return iri if _ABSOLUTE.match(iri) and "/." not in iri else None

    def projection(self) -> None:
        if self.symbol("*"):
            return
        items = 0
        while True:
            tok = self.peek()
            if tok is None:
                raise _NotLight
            if tok.kind == "var":
                self.i += 1
            elif tok.kind == "other" and tok.text == "(":
                self.expression()
            else:
                break
            items += 1
        if not items:
            raise _NotLight

    def dataset(self) -> None:
        while self.word("FROM"):  # only narrows what is matched; the counts span every graph
            self.word("NAMED")
            if self.next().kind not in ("iri", "pname"):
                raise _NotLight

    def template(self) -> None:
        self.expect("{")
        while not self.symbol("}"):
            tok = self.next()
            if tok.kind == "other" and tok.text in "{[(":
                raise _NotLight

    def group(self, triples_only: bool = False, optional: bool = False) -> None:
        self.expect("{")
        while not self.symbol("}"):
            if self.symbol("."):
                continue
            if not triples_only and self.word("FILTER"):
                self.constraint()
            elif not triples_only and self.word("OPTIONAL"):
                self.group(optional=True)
            else:
                self.triples(optional)

    def triples(self, optional: bool) -> None:
        subject = self.term(position="subject")
        while True:
            predicate = self.term(position="predicate")
            while True:
                obj = self.term(position="object")
                self.found.append(Pattern(subject, predicate, obj, optional))  # type: ignore[arg-type]
                if not self.symbol(","):
                    break
            if not self.symbol(";"):
                return
            tok = self.peek()  # a trailing ';' is allowed
            if tok is not None and tok.kind == "other" and tok.text in ".}":
                return

    def term(self, position: str) -> str | tuple[str, str] | None:
        tok = self.next()
        if tok.kind in ("var", "bnode"):
            return None
        if tok.kind == "iri":
            return self.absolute(tok.text[1:-1])
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix not in self.prefixes or not _LOCAL.match(local):
                raise _NotLight
            namespace = self.prefixes[prefix]
            return namespace + local if namespace else None
        if tok.kind == "word" and tok.text == "a" and position == "predicate":
            return "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
        if tok.kind == "string" and position == "object":
            annotated = self.annotation()
            quote = tok.text[:3] if tok.text[:3] in ('"""', "'''") else tok.text[0]
            if annotated or len(quote) == 3:
                return None  # counted as a variable: an upper bound
            return ("literal", tok.text[1:-1])
        if tok.kind == "word" and tok.text.upper() in ("TRUE", "FALSE") and position == "object":
            return None
        raise _NotLight

    def annotation(self) -> bool:
        """Skip a literal's ``@lang`` or ``^^datatype``; True if there was one."""
        if self.symbol("@"):
            if self.next().kind != "word":
                raise _NotLight
            while self.symbol("-"):
                if self.next().kind not in ("word", "other"):
                    raise _NotLight
            return True
        if self.symbol("^"):
            self.expect("^")
            if self.next().kind not in ("iri", "pname"):
                raise _NotLight
            return True
        return False

    def constraint(self) -> None:
        tok = self.peek()
        if tok is not None and tok.kind == "word":
            if tok.text.upper() not in _EXPRESSION_WORDS:
                raise _NotLight
            self.i += 1
        self.expression()

    def expression(self) -> None:
        """A balanced ``( … )`` of variables, constants, operators and allowed function words."""
        self.expect("(")
        depth = 1
        while depth:
            tok = self.next()
            self.expression_token(tok)
            if tok.kind == "other" and tok.text == "(":
                depth += 1
            elif tok.kind == "other" and tok.text == ")":
                depth -= 1

    def expression_token(self, tok: Token) -> None:
        if tok.kind in ("var", "string"):
            return
        if tok.kind in ("iri", "pname"):  # a constant, unless it names a function (a call or cast)
            after = self.peek()
            if after is not None and after.kind == "other" and after.text == "(":
                raise _NotLight
            return
        if tok.kind == "word":
            if tok.text.upper() in _EXPRESSION_WORDS:
                return
            after = self.peek()
            if _is_langtag(self.toks, self.i - 1) and not (after is not None and after.text == "("):
                return
            raise _NotLight
        if tok.kind == "other" and (tok.text in _OPERATORS or tok.text.isdigit() or tok.text in "@^;"):
            return
        raise _NotLight

    def modifiers(self) -> None:
        while self.peek() is not None:
            tok = self.next()
            if tok.kind == "word" and tok.text.upper() in _MODIFIER_WORDS:
                continue
            if tok.kind == "other" and tok.text == "(":
                self.i -= 1
                self.expression()
                continue
            if tok.kind == "word" and tok.text.upper() in _EXPRESSION_WORDS:
                continue  # ASC/DESC, or a call such as ORDER BY STR(?x)
            if tok.kind == "var" or (tok.kind == "other" and tok.text.isdigit()):
                continue
            raise _NotLight


def _is_langtag(toks: Sequence[Token], k: int) -> bool:
    """``"x"@en`` inside an expression: the word after a string's ``@``, or a subtag after ``-``
    following a language tag (``@en-GB``); a word after any other ``-`` is a minus operand."""
    if k < 2 or toks[k - 1].kind != "other":
        return False
    if toks[k - 1].text == "@":
        return toks[k - 2].kind == "string"
    return toks[k - 1].text == "-" and toks[k - 2].kind == "word" and _is_langtag(toks, k - 2)
