// Demo plugin: a note-scope form. It originates a vitals command in the open note (an effect the
// platform applies after the answer), then closes its modal. Loaded as an ES module.
import { applyScope, apiUrl, autoResize, closeModal, getContext, isCompanionError, onHostMessage, requestJSON } from './canvas-companion.mjs';

const $ = (id) => document.getElementById(id);
const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const form = $('form');
const context = applyScope(getContext());

function alert(title, text = '', detail = '') {
  $('alert').innerHTML = `<b>${esc(title)}</b>${esc(text)}${detail ? `<small>${esc(detail)}</small>` : ''}`;
  $('alert').hidden = false;
}

if (context.scope !== 'note') {
  // IDs in the URL that getContext() did not take are not valid IDs (a launch with typed IDs shows this).
  const given = new URLSearchParams(location.search);
  const invalid = given.has('patient_id') || given.has('note_id');
  alert('Open from a note', invalid
    ? 'The patient_id or note_id in this URL is not a valid ID, so the page does not know its note: open it from a note tab.'
    : 'This app needs patient_id and note_id in its URL: open it from a note tab.');
  for (const element of form.elements) element.disabled = true;
}

// Canvas tells note apps which note tab is showing.
onHostMessage((message) => {
  if (message.type === 'NOTE_TAB_CHANGE') document.documentElement.dataset.noteTab = String(message.tab);
});

// The form is short: keep the modal just as tall as the page, also when an error message makes
// it grow, so Cancel and Add stay on the sheet. (Asked for on purpose, never by the library
// itself: on some Canvas versions a RESIZE broke CLOSE_MODAL; try it on yours.)
autoResize();

function numbers() {
  const out = {};
  for (const name of ['bp_sys', 'bp_dia', 'pulse']) {
    const value = form.elements[name].value.trim();
    if (value) out[name] = Number(value);
  }
  return out;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  $('alert').hidden = true;
  const body = numbers();
  if (!Object.keys(body).length) return alert('Enter at least one value.');
  if ((body.bp_sys === undefined) !== (body.bp_dia === undefined)) return alert('Blood pressure needs both numbers.');
  $('submit').disabled = true;
  $('status').textContent = 'Sending…';
  try {
    await requestJSON(apiUrl('/app/vitals', { query: { patient_id: context.patientId, note_id: context.noteId } }), { method: 'POST', body });
    // 202: Canvas adds the command to the note a moment later; the note shows it then.
    $('status').textContent = 'Sent.';
    await closeModal();
  } catch (error) {
    $('submit').disabled = false;
    $('status').textContent = '';
    if (isCompanionError(error, 'UNAUTHORIZED')) alert('Your Canvas session has ended', 'Sign in again, then reopen this app. Nothing was added.', error.message);
    else if (isCompanionError(error, 'HTTP_ERROR') && error.status === 409) alert('The note is signed', 'Vitals can only be added to an open note.');
    else if (isCompanionError(error, 'HTTP_ERROR') && error.status === 400) alert('Check the values', 'Blood pressure 50–260 / 30–160, pulse 30–250.');
    // Without an answer the POST may still have reached Canvas: do not claim either way.
    else if (isCompanionError(error, 'NETWORK_ERROR') || isCompanionError(error, 'TIMEOUT')) alert('No answer from Canvas', 'The vitals may or may not have been added: check the note before you try again.', error.message);
    else alert('Could not add the vitals', 'Nothing was added; try again.', isCompanionError(error) ? `${error.code}: ${error.message}` : String(error));
  }
});

$('cancel').addEventListener('click', () => void closeModal());
