"""Liveness, the data version served, and what the candidate routes answer from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from iscg_graph.rdf.store import StoreMeta

from ..candidate_index import index_state
from ..deps import get_store_meta

router = APIRouter(tags=["service"])


@router.get("/health", summary="Service health and the data version it serves")
def health(request: Request, meta: Annotated[StoreMeta, Depends(get_store_meta)]) -> dict[str, object]:
    return {
        "status": "ok",
        "data_version": meta.data_version,
        "built_at": meta.built_at,
        "generation": meta.generation,
        "triples": meta.triples,
        "candidates": index_state(request.app),  # ready, loading, computing, off or "on first use"
    }
