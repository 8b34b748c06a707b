"""What the app's tests share: a simulated Qualtrics export with one column colead cannot
match, personal columns filled in, and a TestClient at the app's own address."""

from __future__ import annotations

import contextlib
import csv
import io
import warnings
from collections.abc import Iterator
from typing import Any

import colead as cl

PORT = 8765
ORIGIN = f"http://127.0.0.1:{PORT}"
SAME_ORIGIN = {"origin": ORIGIN}
#: The statement whose wording the export changes, so that no column matches its item.
STATEMENT = "Teachers have a real say in how this school goes about improving."
REWORDED = "Teachers have a genuine say in how the school improves."
#: Cells of personal columns (and a free-text answer) that no page or answer may show.
PERSONAL_CELLS = ("jane.doe@school.example", "Jane", "Doe", "+1 555 0100 222")


def simulated(seed: int = 1, n_schools: int = 4, respondents: int | tuple[int, int] = 12
              ) -> cl.Responses:
    return cl.simulate("colead-teacher", n_schools=n_schools, respondents=respondents,
                       seed=seed)


def qualtrics_export(responses: cl.Responses | None = None, *, reword: bool = True,
                     personal: bool = True) -> bytes:
    """A Qualtrics export (Q7_3-style names, so columns match by question text) of
    ``responses``, with :data:`STATEMENT` reworded and the personal columns filled in."""
    responses = responses if responses is not None else simulated()
    buffer = io.StringIO()
    cl.write_export(responses, buffer, platform="qualtrics", column_names="platform")
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    if reword:
        (position,) = [i for i, text in enumerate(rows[1]) if text.endswith(STATEMENT)]
        rows[1][position] = rows[1][position].replace(STATEMENT, REWORDED)
    if personal:
        header = rows[0]
        cells = {"RecipientEmail": PERSONAL_CELLS[0], "RecipientFirstName": PERSONAL_CELLS[1],
                 "RecipientLastName": PERSONAL_CELLS[2], "IPAddress": PERSONAL_CELLS[3]}
        for name, value in cells.items():
            for row in rows[3:]:
                row[header.index(name)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def reworded_position(export: bytes) -> int:
    """The 0-based position of the reworded column."""
    second = next(r for i, r in enumerate(csv.reader(io.StringIO(export.decode()))) if i == 1)
    return next(i for i, text in enumerate(second) if REWORDED in text)


def make_client(app: Any) -> Any:
    with warnings.catch_warnings():  # starlette 1.x prefers httpx2; older ones need httpx
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient
    return TestClient(app, base_url=ORIGIN)


@contextlib.contextmanager
def running(settings: Any = None, **kwargs: Any) -> Iterator[Any]:
    """The app at 127.0.0.1:8765 (no server: requests go straight to it), started and
    stopped as ``colead app`` starts and stops it."""
    from colead.app import create_app
    from colead.app.guard import Settings

    app = create_app(settings or Settings.local(PORT, **kwargs))
    with make_client(app) as client:
        client.app_under_test = app
        yield client


def post(client: Any, url: str, *, files: dict[str, Any] | None = None,
         data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """A POST from the app's own page (with its Origin)."""
    headers = {**SAME_ORIGIN, **kwargs.pop("headers", {})}
    return client.post(url, files=files, data=data, headers=headers, **kwargs)
