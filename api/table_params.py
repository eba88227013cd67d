"""The query parameters of a table view (``sort``, ``dir``, ``q``, ``page``, ``per_page``): parsed and
checked (a bad value is a `ParameterError` naming it, shown as 422), and turned back into links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from iscg_graph.errors import ParameterError
from iscg_graph.render.table_view import ALL_ROWS, DEFAULT_PER_PAGE, PER_PAGE_CHOICES

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
    # before ``sort``, ``dir`` and ``page`` when a page shows several tables (the filter and the rows
    # per page are shared): ``cand_sort`` sorts one table, ``rec_sort`` the other
    prefix: str = ""

    def own(self) -> dict[str, str]:
        """This table's sort and page as query parameters (what another table's links keep)."""
        out: dict[str, str] = {}
        if self.sort:
            out[f"{self.prefix}sort"] = self.sort
            if self.descending:
                out[f"{self.prefix}dir"] = "desc"
        if self.page != 1:
            out[f"{self.prefix}page"] = str(self.page)
        return out

    def query(self, values: Mapping[str, str], **changes: object) -> str:
        """The query string of this view with ``changes`` (defaults left out), after the form values."""
        v = replace(self, **changes)  # type: ignore[arg-type]
        out = dict(values)
        own = v.own()
        out.update((k, own[k]) for k in own if not k.endswith("page"))
        if v.filter:
            out["q"] = v.filter
        if v.per_page != DEFAULT_PER_PAGE:
            out["per_page"] = "all" if v.per_page == ALL_ROWS else str(v.per_page)
        if v.page != 1:
            out[f"{v.prefix}page"] = str(v.page)
        return urlencode(out)

    @property
    def all_rows(self) -> bool:
        return self.per_page == ALL_ROWS

    def download_query(self, values: Mapping[str, str]) -> str:
        """Downloads keep the sort and the filter but never the page: they hold the whole result."""
        return self.query(values, page=1, per_page=DEFAULT_PER_PAGE)


def _positive(name: str, raw: str | None, default: int) -> int:
    if raw is None or raw.strip() == "":
        return default
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ParameterError(name, f"must be a whole number from 1 up; got {raw!r}")
    return int(raw)


def parse_view(params: Mapping[str, str], prefix: str = "") -> ViewParams:
    direction = params.get(f"{prefix}dir", "asc") or "asc"
    if direction not in ("asc", "desc"):
        raise ParameterError(f"{prefix}dir", f"must be asc or desc; got {direction!r}")
    if (params.get("per_page") or "").strip().lower() == "all":  # every row on one page, for printing
        per_page = ALL_ROWS
    else:
        per_page = _positive("per_page", params.get("per_page"), DEFAULT_PER_PAGE)
        if per_page not in PER_PAGE_CHOICES:
            choices = ", ".join(map(str, PER_PAGE_CHOICES))
            raise ParameterError("per_page", f"must be one of {choices} or all (up to {ALL_ROWS} rows)")
    text = params.get("q", "") or ""
    if len(text) > _MAX_FILTER:
        raise ParameterError("q", f"the filter is longer than {_MAX_FILTER} characters")
    return ViewParams(
        sort=(params.get(f"{prefix}sort") or "").strip() or None,
        descending=direction == "desc",
        filter=text.strip(),
        page=_positive(f"{prefix}page", params.get(f"{prefix}page"), 1),
        per_page=per_page,
        prefix=prefix,
    )
