// Demo plugin: register a patient. The documented async-effect pattern: POST /create answers 202
// with lookup params, the platform creates the patient a moment later, GET /find confirms it, and
// only then does the page open the new patient. Loaded as an ES module from the ESM build.
import { apiUrl, applyScope, closeModal, createAndFind, isCompanionError, openPatient, patientPath, requestJSON, subscribe } from './canvas-companion.mjs';

const $ = (id) => document.getElementById(id);
const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const form = $('form');
// A global app, but the same rule as every page: mark the scope so CSS can drop the page's header inside a patient.
applyScope();

function status(text) {
  $('status').textContent = text;
}
function alert(title, html = '', detail = '') {
  $('alert').innerHTML = `<b>${esc(title)}</b>${html}${detail ? `<small>${esc(detail)}</small>` : ''}`;
  $('alert').hidden = false;
}

// The plugin broadcasts on the staff channel when a patient lands: createAndFind then looks at once.
let wake;
requestJSON(apiUrl('/app/me')).then(
  (me) => {
    wake = subscribe(`staff-${me.id}`, () => {}, { authProbe: apiUrl('/app/me') });
  },
  (error) => {
    if (isCompanionError(error, 'UNAUTHORIZED')) alert('Your Canvas session has ended', 'Sign in again, then reopen this app.', error.message);
  },
);
addEventListener('pagehide', () => wake?.close());

function check(data) {
  if (!data.first_name || !data.last_name) return 'Enter the first and last name.';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(data.birth_date)) return 'Enter the birth date.';
  if (data.birth_date > new Date().toISOString().slice(0, 10)) return 'The birth date is in the future.';
  return '';
}

async function showDuplicate(data) {
  // 409: the patient exists already; find them (any creation time) and offer a link.
  try {
    const found = await requestJSON(apiUrl('/app/find'), { query: { ...data, after: '1970-01-01T00:00:00Z' } });
    const link = found?.patient_id ? ` <a target="_top" href="${esc(patientPath(found.patient_id))}">Open ${esc(data.first_name)} ${esc(data.last_name)}</a>` : '';
    alert('Already registered', `A patient with this name and birth date exists.${link}`);
  } catch {
    alert('Already registered', 'A patient with this name and birth date exists.');
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  $('alert').hidden = true;
  const data = Object.fromEntries(['first_name', 'last_name', 'birth_date', 'sex'].map((name) => [name, form.elements[name].value.trim()]));
  const problem = check(data);
  if (problem) return alert(problem);
  $('submit').disabled = true;
  status('Sending…');
  // Once the create is accepted, a later failure (a find) does not mean nothing was created.
  let accepted = false;
  try {
    const patientId = await createAndFind({
      create: apiUrl('/app/create'),
      body: data,
      find: apiUrl('/app/find'),
      wake,
      onAccepted: () => {
        accepted = true;
        status('Accepted. Waiting for Canvas to create the record…');
      },
    });
    status('Registered. Opening the patient…');
    // Navigates the companion itself (window.top), which also closes this modal.
    openPatient(patientId);
  } catch (error) {
    status('');
    $('submit').disabled = false;
    // After a 202, or without any answer to the POST, the patient may exist: say so rather than guess.
    const uncertain = accepted || isCompanionError(error, 'NETWORK_ERROR') || isCompanionError(error, 'TIMEOUT');
    const outcome = uncertain ? 'The patient may have been created: check the patient list before you try again.' : 'Nothing was created.';
    if (isCompanionError(error, 'EFFECT_TIMEOUT')) {
      alert('Not confirmed yet', 'Canvas accepted the registration but the new record did not show up in time. Check the patient list before you try again.', error.message);
    } else if (isCompanionError(error, 'UNAUTHORIZED')) {
      alert('Your Canvas session has ended', `Sign in again, then reopen this app. ${outcome}`, error.message);
    } else if (isCompanionError(error, 'HTTP_ERROR') && error.status === 409) {
      await showDuplicate(data);
    } else if (isCompanionError(error)) {
      alert('Could not register the patient', outcome, `${error.code}: ${error.message}`);
    } else {
      alert('Unexpected error', '', String(error));
    }
  }
});

$('cancel').addEventListener('click', () => void closeModal());
