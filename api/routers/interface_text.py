"""The interface's words for scripts: ``/i18n/<lang>.json``, one language's translations of the
messages the project's scripts show (``api.i18n.scripts``), from the same gettext catalogues as the
pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from .. import i18n
from .. import openapi as oa
from ..errors import ProtocolError
from ..i18n.scripts import script_messages

router = APIRouter(tags=["interface"])


@router.get("/i18n/{lang}.json", summary="The scripts' interface messages in one of the six languages",
            response_class=JSONResponse, responses=oa.answers(oa.JSON, 404))
def script_catalogue(
    lang: Annotated[str, Path(max_length=35, description="ar, zh, en, fr, ru or es")],
) -> JSONResponse:
    if lang not in i18n.LANGUAGES:
        raise ProtocolError(404, f"no interface language {lang[:35]!r}; "
                                 f"the six are {', '.join(i18n.LANGUAGES)}")
    return JSONResponse({"lang": lang, "messages": script_messages(lang)},
                        headers={"Cache-Control": "public, max-age=3600"})
