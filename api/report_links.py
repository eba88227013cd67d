"""Which reports are about a resource: links from a theme, list, study group, Question, Sector or
Resolution page to the reports that take it as their choice (the reports link back through their
tables). Returns (key, href) pairs; the page template holds the words for each key."""

from __future__ import annotations

from urllib.parse import urlencode

from iscg_graph.query.catalog import SECTOR_CODES

__all__ = ["reports_about"]

_CODES = {slug: code for code, slug in SECTOR_CODES.items()}


def _href(report: str, **params: str) -> str:
    return f"/reports/{report}" + (f"?{urlencode(params)}" if params else "")


def reports_about(iri: str, base_iri: str) -> list[tuple[str, str]]:
    if not iri.startswith(base_iri + "id/"):
        return []
    kind, _, rest = iri[len(base_iri) + 3 :].partition("/")
    if kind == "theme" and rest:
        return [
            ("theme-dossier", _href("theme-dossier", theme=rest)),
            ("resolution-overlap", _href("resolution-overlap", theme=rest)),
            ("annex-duplicate-areas", _href("annex-duplicate-areas")),
        ]
    if kind == "scheme" and rest and "/" not in rest:
        return [
            ("theme-coverage", _href("theme-coverage", scheme=rest)),
            ("annex-duplicate-areas", _href("annex-duplicate-areas")),
        ]
    if kind == "study-group" and rest:
        return [("study-group-neighbours", _href("study-group-neighbours", study_group=rest))]
    if kind == "question" and rest.split("/")[0] in _CODES:
        code = _CODES[rest.split("/")[0]]
        return [
            ("question-duplicate-candidates", _href("question-duplicate-candidates", sector_a=code)),
            ("questions-without-resolution", _href("questions-without-resolution", sector=code)),
        ]
    if kind == "sector" and rest in _CODES:
        return [
            ("sector-overlap-matrix", _href("sector-overlap-matrix")),
            ("question-duplicate-candidates", _href("question-duplicate-candidates", sector_a=_CODES[rest])),
        ]
    if kind == "resolution" and rest:
        return [
            ("resolution-overlap", _href("resolution-overlap")),
            ("resolutions-without-coordination", _href("resolutions-without-coordination")),
        ]
    return []
