"""The pages a school team uses: choose an instrument and drop an export (``/``), see what
colead read and match the columns it could not (``/w/<id>``), make the report and download
it with the scores and the school table.

Forms work without JavaScript (a POST answered by a redirect); with htmx, a form's answer
replaces only its part of the page. A page never shows a cell of the export: columns are
named by their header and question text, personal columns not at all.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colead.app import inputs, messages, outputs, work
from colead.app.guard import REPORT_POLICY
from colead.app.store import Workspace, read_form
from colead.exceptions import ColeadError, InvalidParameterError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from colead.app.store import Store

OUTPUTS = {"report.html": "text/html; charset=utf-8", "scores.csv": "text/csv; charset=utf-8",
           "schools.csv": "text/csv; charset=utf-8"}


@functools.cache
def environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("colead.app", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def render(template: str, status: int = 200, **context: Any) -> Response:
    from starlette.responses import HTMLResponse

    html = environment().get_template(template).render(platforms=inputs.PLATFORM_TITLES,
                                                       **context)
    return HTMLResponse(html, status_code=status)


def _by_reason(dropped: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Row numbers of the rows left out, by reason."""
    out: dict[str, list[int]] = {}
    for row in dropped:
        out.setdefault(row["reason"], []).append(row["row"])
    return out


def routes(store: Store, max_upload: int) -> list[Any]:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import RedirectResponse, Response
    from starlette.routing import Route

    def page(ws: Workspace, status: int = 200, **extra: Any) -> Response:
        context = {"ws": ws, "found": ws.inspection, "map_errors": [], "report_errors": [],
                   "dropped_rows": _by_reason, **extra}
        return render("workspace.html.j2", status, **context)

    def done(request: Request, ws: Workspace, anchor: str = "") -> Response:
        """Success: the page itself for htmx (it takes its part), a redirect otherwise."""
        if request.headers.get("hx-request") == "true":
            return page(ws)
        return RedirectResponse(f"/w/{ws.id}{anchor}", status_code=303)

    def workspace(request: Request) -> Workspace:
        found = store.get(request.path_params["id"])
        if found is None:
            from starlette.exceptions import HTTPException

            raise HTTPException(404, "This upload is no longer here: the app was restarted, "
                                     "or it was removed to make room. Start again.")
        return found

    def refresh(ws: Workspace) -> None:
        path = ws.instrument_file.path if ws.instrument_file else None
        inst = work.instrument(ws.instrument_name, path)
        ws.inspection = work.inspect_export(ws.export.path, inst, mapping=ws.mapping,
                                            school=ws.school, platform=ws.platform,
                                            folder=store.folder)
        ws.outputs.clear()

    async def index(request: Request) -> Response:
        return render("index.html.j2", instruments=await run_in_threadpool(work.bundled),
                      errors=[], chosen="colead-teacher")

    async def start(request: Request) -> Response:
        import secrets

        folder = store.new_folder()
        chosen = "colead-teacher"
        try:
            form = await read_form(request, max_upload)
            chosen = form.text("instrument") or chosen
            sent = inputs.receive(form, folder)
            ws = Workspace(id=secrets.token_urlsafe(12), folder=folder, export=sent.export,
                           instrument_name=sent.instrument_name,
                           instrument_file=sent.instrument_file, platform=sent.platform,
                           mapping=sent.mapping, school=sent.school)

            def run() -> None:
                with store.work_lock:
                    refresh(ws)

            await run_in_threadpool(run)
        except ColeadError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            return render("index.html.j2", 400, instruments=work.bundled(), chosen=chosen,
                          errors=messages.shown_lines(exc, store.folder))
        store.add(ws)
        return RedirectResponse(f"/w/{ws.id}", status_code=303)

    async def show(request: Request) -> Response:
        return page(workspace(request))

    async def mapping(request: Request) -> Response:
        ws = workspace(request)
        try:
            form = await read_form(request, max_upload)
            if ws.inspection is None:
                raise InvalidParameterError("read the export first")
            chosen: dict[int, str] = {}
            for key, value in form.fields.items():
                if key.startswith("map-") and key[4:].isdigit():
                    chosen[int(key[4:])] = value.strip()
            school = form.text("school")
            if school and school not in ws.inspection.school_choices:
                raise InvalidParameterError(f"{school[:60]!r} is not a column of the export")
            new_mapping = work.form_mapping(ws.inspection, chosen)
            before = (ws.mapping, ws.school)
            ws.mapping, ws.school = new_mapping, school or None

            def run() -> None:
                with store.work_lock:
                    refresh(ws)

            try:
                await run_in_threadpool(run)
            except ColeadError:
                ws.mapping, ws.school = before
                raise
        except ColeadError as exc:
            return page(ws, 400, map_errors=messages.shown_lines(exc, store.folder))
        return done(request, ws, "#columns")

    async def saved_mapping(request: Request) -> Response:
        ws = workspace(request)
        if ws.inspection is None:
            raise InvalidParameterError("read the export first")
        path = ws.instrument_file.path if ws.instrument_file else None
        inst = work.instrument(ws.instrument_name, path)
        found = ws.inspection
        text = await run_in_threadpool(work.mapping_yaml, ws.export.path, inst, found)
        return Response(text, media_type="application/yaml; charset=utf-8",
                        headers={"content-disposition":
                                 'attachment; filename="colead-mapping.yaml"'})

    async def make(request: Request) -> Response:
        ws = workspace(request)
        try:
            form = await read_form(request, max_upload)
            found = ws.inspection
            if found is None or found.responses is None:
                raise InvalidParameterError(
                    "colead cannot read the export yet: fix the problems listed under "
                    "'What colead read' first")
            responses = found.responses
            ws.min_n = outputs.parse_min_n(form.text("min_n"))
            ws.title = form.text("title")[:200]
            ws.scores = outputs.parse_scores(form.text("scores"))

            def run() -> dict[str, Path]:
                with store.work_lock:
                    path = ws.instrument_file.path if ws.instrument_file else None
                    inst = work.instrument(ws.instrument_name, path)
                    roster = inputs.roster(form, ws.folder, ws.school)
                    previous = inputs.previous(form, ws.folder, inst, ws.mapping, ws.school)
                    return {
                        "report.html": outputs.make_report(
                            responses, ws.folder / "report.html", min_n=ws.min_n,
                            title=ws.title, roster=roster, previous=previous,
                            scores=ws.scores, norms=inputs.norms(form, ws.folder)),
                        "scores.csv": outputs.scores_csv(responses, ws.folder / "scores.csv"),
                        "schools.csv": outputs.school_table_csv(
                            responses, ws.folder / "schools.csv", min_n=ws.min_n,
                            roster=roster),
                    }

            ws.outputs = await run_in_threadpool(run)
        except ColeadError as exc:
            ws.outputs.clear()
            return page(ws, 400, report_errors=messages.shown_lines(exc, store.folder))
        return done(request, ws, "#results")

    async def output(request: Request) -> Response:
        ws = workspace(request)
        name = request.path_params["name"]
        path = ws.outputs.get(name)
        if name not in OUTPUTS or path is None or not path.is_file():
            from starlette.exceptions import HTTPException

            raise HTTPException(404, "Make the report first.")
        headers = {}
        if name == "report.html":
            headers["content-security-policy"] = REPORT_POLICY
        if name != "report.html" or request.query_params.get("download"):
            headers["content-disposition"] = f'attachment; filename="colead-{name}"'
        return Response(path.read_bytes(), media_type=OUTPUTS[name], headers=headers)

    return [
        Route("/", index, methods=["GET"]),
        Route("/start", start, methods=["POST"]),
        Route("/w/{id}", show, methods=["GET"]),
        Route("/w/{id}/mapping", mapping, methods=["POST"]),
        Route("/w/{id}/mapping.yaml", saved_mapping, methods=["GET"]),
        Route("/w/{id}/report", make, methods=["POST"]),
        Route("/w/{id}/{name}", output, methods=["GET"]),
    ]
