"""The plugin's companion applications: one per scope, all opening the same page.

Canvas calls on_open() when a user taps the app. The LaunchModalEffect's URL is the page the
companion loads in its modal (served by handlers/companion_api.py); the page learns its scope
from the query: nothing (global), patient_id (patient), patient_id and note_id (note).
harness.mock.mjs gives the harness the same URLs (its "launch"): change both together.
"""

from canvas_sdk.effects import Effect
from canvas_sdk.effects.launch_modal import LaunchModalEffect
from canvas_sdk.handlers.application import Application

PAGE = "/plugin-io/api/my_plugin/app/"


def launch(query: str = "") -> Effect:
    """The effect that opens the page, with the launch context in its query."""
    return LaunchModalEffect(
        url=PAGE + query,
        target=LaunchModalEffect.TargetType.DEFAULT_MODAL,
        title="My plugin",
    ).apply()
# [global]


class GlobalApp(Application):
    """In the launcher on the companion's main page: no patient, the signed-in user's tasks."""

    def on_open(self) -> Effect:
        """Open the page in global scope."""
        return launch()
# [/global]
# [patient]


class PatientApp(Application):
    """A tab on the patient page, next to Timeline: this patient's tasks."""

    def on_open(self) -> Effect:
        """Open the page for the patient in the event's context."""
        patient_id = self.event.context.get("patient", {}).get("id", "")
        return launch(f"?patient_id={patient_id}")
# [/patient]
# [note]


class NoteApp(Application):
    """A tab in an opened note: the note's patient's tasks."""

    def on_open(self) -> Effect:
        """Open the page for the patient and note in the event's context."""
        patient_id = self.event.context.get("patient", {}).get("id", "")
        note_id = self.event.context.get("note", {}).get("id", "")
        return launch(f"?patient_id={patient_id}&note_id={note_id}")
# [/note]
