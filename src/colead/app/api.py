"""The local HTTP API (the README's "The app's HTTP API"): the pages use it, and so can
other tools on this computer.

- ``POST /api/validate`` (multipart: ``file``, ``instrument`` (a bundled name) or
  ``instrument_file``, optional ``mapping``, ``platform``, ``school``): the import log as
  JSON: ``rows_read``, ``rows_kept``, ``dropped`` [{row, reason}], ``unmatched_columns``,
  ``platform``, ``problems`` [{row, column, value, reason}] (and ``ok``, ``source``, ...).
- ``POST /api/report`` (the same, with ``min_n``, optional ``roster``, ``title``,
  ``previous``, ``scores`` (``mean`` or ``rasch``) and ``norms`` (a YAML or CSV norms file)):
  the HTML report (``text/html``).
- ``POST /api/scores`` (the same, optional ``by=school_id`` and ``min_n``): the scores CSV,
  one row per respondent, or with ``by`` one row per school and scale, suppressed under
  ``min_n``.
- ``GET /api/instruments``: the bundled instruments.

A request that cannot be answered gets status 400 and ``{"error": ..., "problems": [...]}``;
each request's files are kept in the private folder only while it runs.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colead.app import inputs, messages, outputs, work
from colead.app.guard import REPORT_POLICY
from colead.app.store import read_form
from colead.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from colead.app.store import Store


def routes(store: Store, max_upload: int) -> list[Any]:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def instruments(request: Request) -> Response:
        found = await run_in_threadpool(work.bundled)
        return JSONResponse([{"name": n, "title": t} for n, t in found])

    async def validate(request: Request) -> Response:
        async def answer(sent: inputs.Sent, folder: Path) -> Response:
            def run() -> dict[str, Any]:
                with store.work_lock:
                    found = work.inspect_export(sent.export.path, sent.instrument(),
                                                mapping=sent.mapping, school=sent.school,
                                                platform=sent.platform, folder=folder)
                return found.log()

            return JSONResponse(await run_in_threadpool(run))

        return await _with_files(request, store, max_upload, answer)

    async def report(request: Request) -> Response:
        async def answer(sent: inputs.Sent, folder: Path) -> Response:
            from starlette.responses import HTMLResponse

            form = request.state.form

            def run() -> bytes:
                with store.work_lock:
                    inst = sent.instrument()
                    responses = _read(sent, inst)
                    roster = inputs.roster(form, folder, sent.school)
                    previous = inputs.previous(form, folder, inst, sent.mapping, sent.school)
                    path = outputs.make_report(
                        responses, folder / "report.html",
                        min_n=outputs.parse_min_n(form.text("min_n")),
                        title=form.text("title") or None, roster=roster, previous=previous,
                        scores=outputs.parse_scores(form.text("scores")),
                        norms=inputs.norms(form, folder))
                return path.read_bytes()

            body = await run_in_threadpool(run)
            return HTMLResponse(body, headers={"content-security-policy": REPORT_POLICY,
                                               "content-disposition":
                                               'inline; filename="report.html"'})

        return await _with_files(request, store, max_upload, answer)

    async def scores(request: Request) -> Response:
        async def answer(sent: inputs.Sent, folder: Path) -> Response:
            form = request.state.form
            by = form.text("by")
            if by not in ("", "school_id"):
                raise InvalidParameterError(
                    f"by must be school_id (one row per school) or left out; got {by[:40]!r}")

            def run() -> bytes:
                with store.work_lock:
                    responses = _read(sent, sent.instrument())
                    if by:
                        roster = inputs.roster(form, folder, sent.school)
                        path = outputs.school_table_csv(
                            responses, folder / "schools.csv",
                            min_n=outputs.parse_min_n(form.text("min_n")), roster=roster)
                    else:
                        path = outputs.scores_csv(responses, folder / "scores.csv")
                return path.read_bytes()

            return _csv(await run_in_threadpool(run), "schools.csv" if by else "scores.csv")

        return await _with_files(request, store, max_upload, answer)

    return [
        Route("/api/instruments", instruments, methods=["GET"]),
        Route("/api/validate", validate, methods=["POST"]),
        Route("/api/report", report, methods=["POST"]),
        Route("/api/scores", scores, methods=["POST"]),
    ]


async def _with_files(request: Request, store: Store, max_upload: int, answer: Any) -> Response:
    """Read the form into a fresh private subfolder, answer, and remove the subfolder. A
    ColeadError becomes a 400 with the problems, in the app's words."""
    from colead.exceptions import ColeadError

    folder = store.new_folder()
    try:
        form = await read_form(request, max_upload)
        request.state.form = form
        sent = inputs.receive(form, folder)
        return await answer(sent, folder)
    except ColeadError as exc:
        return error_response(exc, store.folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _read(sent: inputs.Sent, inst: Any) -> Any:
    """The responses, read as ``/api/validate`` reads them (so with the same refusals of
    personal columns); its problems as a 400."""
    from colead.exceptions import ResponseDataError

    found = work.inspect_export(sent.export.path, inst, mapping=sent.mapping,
                                school=sent.school, platform=sent.platform)
    if found.responses is None:
        raise ResponseDataError(found.problems, context=found.source)
    return found.responses


def error_response(exc: Exception, folder: Path | None) -> Response:
    from starlette.responses import JSONResponse

    from colead.exceptions import ColeadError

    if isinstance(exc, ColeadError):
        error, problems = messages.describe_error(exc, folder)
    else:
        error, problems = str(exc), []
    return JSONResponse({"error": error, "problems": problems}, status_code=400)


def _csv(body: bytes, name: str) -> Response:
    from starlette.responses import Response

    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"'})
