"""Liveness and data version."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from iscg_graph.rdf.store import StoreMeta

from ..deps import get_store_meta

router = APIRouter(tags=["service"])


@router.get("/health", summary="Service health and the data version it serves")
def health(meta: Annotated[StoreMeta, Depends(get_store_meta)]) -> dict[str, object]:
    return {
        "status": "ok",
        "data_version": meta.data_version,
        "built_at": meta.built_at,
        "generation": meta.generation,
        "triples": meta.triples,
    }
