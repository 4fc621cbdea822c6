"""The page, its data and its files, for signed-in staff only (StaffSessionAuthMixin).

Routes, under /plugin-io/api/my_plugin:
    GET  /app/                the page (templates/companion.html)
    GET  /app/data.json       open tasks: the patient's (?patient_id=), else the user's own
    POST /app/tasks           adds a task: an effect Canvas applies after the answer (202)
    GET  /app/tasks/find      the task once it exists (?title=&after=), else {"task_id": null}
    GET  /app/static/<name>   the page's script and styles, and the vendored canvas-companion files

harness.mock.mjs plays these routes in the harness and in the tests: change both together.
"""

import time
from datetime import datetime, timezone
from http import HTTPStatus

from canvas_sdk.effects import Effect
from canvas_sdk.effects.simple_api import HTMLResponse, JSONResponse, Response
from canvas_sdk.effects.task import AddTask
from canvas_sdk.handlers.simple_api import SimpleAPI, StaffSessionAuthMixin, api
from canvas_sdk.templates import render_to_string
from canvas_sdk.v1.data.patient import Patient
from canvas_sdk.v1.data.task import Task, TaskStatus

# Set once per start: the page loads its files with ?v=<this>, so a new deploy is a new URL and
# the files can be cached for long.
VERSION = str(int(time.time()))
CACHE_FOR_LONG = {"Cache-Control": "public, max-age=31536000, immutable"}

# Everything GET /app/static/<name> serves; nothing else in the plugin folder can be fetched.
STATIC = {
    "companion.mjs": "text/javascript; charset=utf-8",
    "companion.css": "text/css; charset=utf-8",
    "canvas-companion.mjs": "text/javascript; charset=utf-8",
    "canvas-companion.umd.min.js": "text/javascript; charset=utf-8",
}


def error(status: HTTPStatus, message: str) -> list[Response | Effect]:
    """An error answer with a JSON body the page can show."""
    return [JSONResponse({"error": message}, status_code=status)]


class CompanionAPI(StaffSessionAuthMixin, SimpleAPI):
    """Serves the companion page of every scope, its data, and its files."""

    PREFIX = "/app"

    def staff_id(self) -> str:
        """The signed-in staff member (Canvas sets this header from the session)."""
        return self.request.headers["canvas-logged-in-user-id"]

    @api.get("/")
    def page(self) -> list[Response | Effect]:
        """The page: a shell that loads static/companion.mjs."""
        html = render_to_string("templates/companion.html", {"v": VERSION})
        return [HTMLResponse(html, headers={"Cache-Control": "no-store"})]

    @api.get("/data.json")
    def data(self) -> list[Response | Effect]:
        """Open tasks: the patient's in patient and note scope, else the signed-in user's."""
        patient_id = self.request.query_params.get("patient_id")
        tasks = Task.objects.filter(status=TaskStatus.OPEN)
        if patient_id:
            tasks = tasks.filter(patient__id=patient_id)
        else:
            tasks = tasks.filter(assignee__id=self.staff_id())
        body = {"tasks": [{"id": str(task.id), "title": task.title} for task in tasks.order_by("due")[:100]]}
        # [live]
        # The channel the page listens on for changes (handlers/companion_live.py allows it).
        body["channel"] = f"patient-{patient_id}" if patient_id else f"staff-{self.staff_id()}"
        # [/live]
        return [JSONResponse(body)]

    @api.post("/tasks")
    def create(self) -> list[Response | Effect]:
        """Adds a task: 202 with what identifies it; the page then polls /tasks/find."""
        try:
            body = self.request.json()
        except ValueError:
            return error(HTTPStatus.BAD_REQUEST, "The body must be JSON")
        given = body.get("title") if isinstance(body, dict) else None
        title = given.strip() if isinstance(given, str) else ""
        if not 1 <= len(title) <= 200:
            return error(HTTPStatus.BAD_REQUEST, "A task needs a title of 1 to 200 characters")
        patient_id = body.get("patient_id") or None
        if patient_id and not Patient.objects.filter(id=patient_id).exists():
            return error(HTTPStatus.NOT_FOUND, "No such patient")
        started = datetime.now(timezone.utc).isoformat()
        task = AddTask(title=title, assignee_id=self.staff_id(), patient_id=patient_id)
        return [
            task.apply(),
            JSONResponse(
                {"status": "submitted", "lookup_params": {"title": title}, "lookup_started_at": started},
                status_code=HTTPStatus.ACCEPTED,
            ),
        ]

    @api.get("/tasks/find")
    def find(self) -> list[Response | Effect]:
        """The newest task with this title created since `after`, once Canvas has applied it."""
        try:
            after = datetime.fromisoformat(self.request.query_params.get("after", ""))
        except ValueError:
            return error(HTTPStatus.BAD_REQUEST, "after must be an ISO time")
        found = (
            Task.objects.filter(
                title=self.request.query_params.get("title", ""),
                assignee__id=self.staff_id(),
                created__gte=after,
            )
            .order_by("-created")
            .first()
        )
        return [JSONResponse({"task_id": str(found.id) if found else None})]

    @api.get("/static/<name>")
    def files(self) -> list[Response | Effect]:
        """The files the page loads, from static/ (listed in STATIC)."""
        name = self.request.path_params["name"]
        if name not in STATIC:
            return [Response(status_code=HTTPStatus.NOT_FOUND)]
        content = render_to_string(f"static/{name}").encode()
        return [Response(content, content_type=STATIC[name], headers=CACHE_FOR_LONG)]
