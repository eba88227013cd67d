"""The body checks every write route makes before it parses anything (the Graph Store Protocol at
``/store`` and SPARQL Update at ``/sparql``): a declared ``Content-Length`` over the cap is refused
before a byte is read, and a body streamed past the cap is refused as soon as it passes it (413);
text must be UTF-8 (415)."""

from __future__ import annotations

from fastapi import Request

from iscg_graph.errors import UnsafeInput

__all__ = ["check_declared_length", "read_capped", "read_text"]


def check_declared_length(request: Request, cap: int, what: str = "body", *, required: bool = False) -> None:
    """413 if the declared length is over ``cap``; 411 if ``required`` and none is declared."""
    declared = request.headers.get("content-length")
    if required and (not declared or not declared.isdigit()):
        raise UnsafeInput(f"a {what} needs a Content-Length", 411)
    if declared and declared.isdigit() and int(declared) > cap:
        raise UnsafeInput(f"{what} of {declared} bytes is over the limit of {cap} bytes", 413)


async def read_capped(request: Request, cap: int, what: str = "body") -> bytes:
    """The whole body, never more than ``cap`` bytes of it held."""
    check_declared_length(request, cap, what)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise UnsafeInput(f"{what} is over the limit of {cap} bytes", 413)
        chunks.append(chunk)
    return b"".join(chunks)


async def read_text(request: Request, cap: int, what: str = "body") -> str:
    """The body as UTF-8 text (415 if it is not)."""
    data = await read_capped(request, cap, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsafeInput(f"the {what} is not valid UTF-8 (byte {exc.start})", 415) from exc
