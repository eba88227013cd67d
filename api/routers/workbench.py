"""Placeholder: filled in by the capability that owns this router."""

from fastapi import APIRouter

router = APIRouter()
