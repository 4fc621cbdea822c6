/**
 * The Session panel: who is signed in and in which session, a switch to another staff member
 * (POST /companion/api/session/staff), and the menu's expire and sign-in actions.
 * @module
 */
import { $, api, esc, failure, toast } from './dom.js';
import { onPanelShown } from './panels.js';
import type { SessionData, ShellHooks, Staff } from './types.js';

let hooks: ShellHooks;

/** Asks the harness who is signed in and draws it. */
export async function refreshSession(): Promise<void> {
  const answer = await api<SessionData & { expired?: boolean }>('/session');
  const select = $<HTMLSelectElement>('#ses-staff');
  const who = $('#ses-who');
  const head = $('#ihead-who');
  if (!answer.ok) {
    const text = answer.status === 401 ? (answer.body.expired ? 'Session expired: plugin requests get 401.' : 'Signed out.') : failure(answer);
    who.textContent = text;
    head.textContent = answer.status === 401 ? 'signed out' : '';
    select.disabled = $<HTMLButtonElement>('#ses-switch').disabled = true;
    return;
  }
  const { staff, session } = answer.body;
  const members: readonly Staff[] = answer.body.staff_members ?? hooks.data()?.staff_members ?? [staff];
  who.innerHTML = `Signed in as <b>${esc(staff.name)}</b>${session === undefined ? '' : ` · session <b>${esc(session)}</b>`}`;
  head.textContent = `${session === undefined ? '' : `session ${session} · `}${staff.name}`;
  select.innerHTML = members.map((m) => `<option value="${esc(m.id)}">${esc(m.name)}${m.roles[0] ? ` (${esc(m.roles[0].name)})` : ''}</option>`).join('');
  select.value = staff.id;
  select.disabled = $<HTMLButtonElement>('#ses-switch').disabled = members.length < 2;
}

async function switchStaff(id: string): Promise<void> {
  const answer = await api<{ staff: Staff }>('/session/staff', { method: 'POST', json: { id } });
  if (!answer.ok) return toast(`Could not switch: ${failure(answer)}`);
  toast(`Signed in as ${answer.body.staff.name}. The session's plugin sockets dropped.`);
  await Promise.all([refreshSession(), hooks.reload()]);
}

/** Wires the panel. */
export function initSession(shell: ShellHooks): void {
  hooks = shell;
  $('#ses-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void switchStaff($<HTMLSelectElement>('#ses-staff').value);
  });
  $('#ses-expire').addEventListener('click', () => void hooks.expire().then(refreshSession));
  $('#ses-signin').addEventListener('click', () => void hooks.signIn().then(refreshSession));
  onPanelShown((name) => {
    if (name === 'session') void refreshSession();
  });
  void refreshSession();
}
