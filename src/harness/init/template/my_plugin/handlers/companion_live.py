"""Live updates: who may listen on which channel, and a broadcast when a task changes.

The page listens on staff-<its user's id> (global scope) or patient-<patient id>. A message only
says that something changed: the page refetches /app/data.json, on every message and on every
(re)connect, since broadcasts sent while it was disconnected are lost.
harness.mock.mjs plays these rules (its "sockets" and "setup"): change both together.
"""

from canvas_sdk.effects import Effect
from canvas_sdk.effects.simple_api import Broadcast
from canvas_sdk.events import EventType
from canvas_sdk.handlers.base import BaseHandler
from canvas_sdk.handlers.simple_api.websocket import WebSocketAPI
# [chart]
from canvas_sdk.v1.data.patient import Patient
# [/chart]
from canvas_sdk.v1.data.task import Task


class CompanionSocket(WebSocketAPI):
    """Allows staff onto their own channel, staff-<id>, and onto patient-<id> of a patient."""

    def authenticate(self) -> bool:
        """Whether the signed-in user may listen on the channel asked for."""
        user = self.websocket.logged_in_user
        if not user or user.get("type") != "Staff":
            return False
        channel = self.websocket.channel
        if channel == f"staff-{user.get('id')}":
            return True
        # [chart]
        patient_id = channel.removeprefix("patient-")
        if patient_id != channel:
            return Patient.objects.filter(id=patient_id).exists()
        # [/chart]
        return False


class TaskBroadcast(BaseHandler):
    """Tells the pages showing a task that it changed: its assignee's and its patient's channels."""

    RESPONDS_TO = [
        EventType.Name(EventType.TASK_CREATED),
        EventType.Name(EventType.TASK_UPDATED),
        EventType.Name(EventType.TASK_COMPLETED),
        EventType.Name(EventType.TASK_CLOSED),
    ]

    def compute(self) -> list[Effect]:
        """One small message per channel: the pages refetch their list over HTTP."""
        task = Task.objects.filter(id=self.event.target.id).first()
        if task is None:
            return []
        channels = []
        if task.assignee:
            channels.append(f"staff-{task.assignee.id}")
        # [chart]
        if task.patient:
            channels.append(f"patient-{task.patient.id}")
        # [/chart]
        message = {"type": "tasks_changed", "task_id": str(task.id)}
        return [Broadcast(channel=channel, message=message).apply() for channel in channels]
