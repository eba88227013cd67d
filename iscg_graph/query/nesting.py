"""How deeply a SPARQL text nests its brackets, measured before any parser sees it.

Oxigraph's parser (and the light-query proof) descend recursively: ten thousand ``{`` or ``(`` in a
row exhaust a native stack and kill the process that parses them. This scan is linear and has no
recursion: one regular expression walks the text, skipping strings, IRIs and comments (a ``{``
inside ``"…"``, ``<…>`` or after ``#`` does not nest anything), and counts ``{``, ``(`` and ``[``
together, since the parser recurses on each. Unbalanced text is left to the parser to report.
"""

from __future__ import annotations

import re

from ..errors import QueryTooDeep

DEFAULT_MAX_DEPTH = 128  # real queries nest a few levels; Oxigraph copes with far more than this

_SCAN = re.compile(
    r"""
    [^"'#<{}()\[\]]+                                  # nothing that opens, closes or hides a bracket
  | \#[^\r\n]*                                        # a comment
  | <[^<>"{}|^`\\\x00-\x20]*>                         # an IRI (otherwise ``<`` is an operator)
  | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"               # long strings, then short ones
  | '''(?:[^'\\]|\\.|'(?!''))*'''
  | "(?:[^"\\\r\n]|\\.)*"
  | '(?:[^'\\\r\n]|\\.)*'
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | .                                                 # an unterminated string or a lone ``<``
    """,
    re.VERBOSE | re.DOTALL,
)


def nesting_depth(text: str, stop_above: int | None = None) -> int:
    """The deepest bracket nesting of ``text`` outside strings, IRIs and comments; with
    ``stop_above`` the scan ends as soon as the depth passes it (and returns that depth)."""
    depth = deepest = 0
    for match in _SCAN.finditer(text):
        if match.lastgroup == "open":
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    return deepest
        elif match.lastgroup == "close" and depth > 0:
            depth -= 1
    return deepest


def check_nesting(text: str, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
    """Raise `QueryTooDeep` when ``text`` nests ``{``, ``(`` or ``[`` more than ``max_depth`` deep
    (``max_depth`` <= 0: no limit)."""
    if max_depth <= 0:
        return
    if text.count("{") + text.count("(") + text.count("[") <= max_depth:
        return  # no deeper than its openers are many (a real query: no scan at all)
    depth = nesting_depth(text, stop_above=max_depth)
    if depth > max_depth:
        raise QueryTooDeep(
            f"the query nests brackets ({{, ( or [) more than {max_depth} levels deep; "
            f"the limit is {max_depth}: flatten it"
        )
