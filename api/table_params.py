"""The query parameters of a table view (``sort``, ``dir``, ``q``, ``page``, ``per_page``): parsed and
checked (a bad value is a `ParameterError` naming it, shown as 422), and turned back into links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from iscg_graph.errors import ParameterError
from iscg_graph.render.table_view import DEFAULT_PER_PAGE, PER_PAGE_CHOICES

__all__ = ["VIEW_PARAMS", "ViewParams", "parse_view"]

VIEW_PARAMS = frozenset({"sort", "dir", "q", "page", "per_page"})
_MAX_FILTER = 200


@dataclass(frozen=True)
class ViewParams:
    sort: str | None = None
    descending: bool = False
    filter: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def query(self, values: Mapping[str, str], **changes: object) -> str:
        """The query string of this view with ``changes`` (defaults left out), after the form values."""
        v = replace(self, **changes)  # type: ignore[arg-type]
        out = dict(values)
        if v.sort:
            out["sort"] = v.sort
            if v.descending:
                out["dir"] = "desc"
        if v.filter:
            out["q"] = v.filter
        if v.per_page != DEFAULT_PER_PAGE:
            out["per_page"] = str(v.per_page)
        if v.page != 1:
            out["page"] = str(v.page)
        return urlencode(out)

    def download_query(self, values: Mapping[str, str]) -> str:
        """Downloads keep the sort and the filter but never the page: they hold the whole result."""
        return self.query(values, page=1, per_page=DEFAULT_PER_PAGE)


def _positive(name: str, raw: str | None, default: int) -> int:
    if raw is None or raw.strip() == "":
        return default
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ParameterError(name, f"must be a whole number from 1 up; got {raw!r}")
    return int(raw)


def parse_view(params: Mapping[str, str]) -> ViewParams:
    direction = params.get("dir", "asc") or "asc"
    if direction not in ("asc", "desc"):
        raise ParameterError("dir", f"must be asc or desc; got {direction!r}")
    per_page = _positive("per_page", params.get("per_page"), DEFAULT_PER_PAGE)
    if per_page not in PER_PAGE_CHOICES:
        raise ParameterError("per_page", f"must be one of {', '.join(map(str, PER_PAGE_CHOICES))}")
    text = params.get("q", "") or ""
    if len(text) > _MAX_FILTER:
        raise ParameterError("q", f"the filter is longer than {_MAX_FILTER} characters")
    return ViewParams(
        sort=(params.get("sort") or "").strip() or None,
        descending=direction == "desc",
        filter=text.strip(),
        page=_positive("page", params.get("page"), 1),
        per_page=per_page,
    )
