/**
 * The Network panel: the session's conditions (latency, offline, effect delay, one failing route)
 * through GET/PUT /companion/api/conditions, and the strip of badges that says, while any is on,
 * what misbehaves (at the top of the inspector and on the phone's bottom bar).
 * @module
 */
import { NO_CONDITIONS, type Conditions, type Failure } from '../../platform/trace.js';
import { $, api, esc, failure as failureText } from './dom.js';
import { showPanel } from './panels.js';
import { FAIL_ROUTE } from './requests.js';
import { onTrace, setConditions, trace } from './trace-state.js';

/**
 * The badges of what is on: `Latency 800 ms`, `Offline`, `Effects 5000 ms`, `GET /plugin-io/api/x → 503`;
 * `compact` for the phone's bottom bar: `+800 ms`, `Offline`, `Effects 5000 ms`, `x → 503`.
 */
export function conditionBadges(c: Conditions, compact = false): string[] {
  const badges: string[] = [];
  if (c.latency > 0) badges.push(compact ? `+${c.latency} ms` : `Latency ${c.latency} ms`);
  if (c.offline) badges.push('Offline');
  if (c.effect_delay !== null) badges.push(`Effects ${c.effect_delay} ms`);
  if (c.failure) {
    const { method, path, answer } = c.failure;
    badges.push(compact ? `${path.split('/').filter(Boolean).pop() ?? path} → ${answer}` : `${method} ${path} → ${answer === 'drop' ? 'dropped' : answer}`);
  }
  return badges;
}

const input = (id: string) => $<HTMLInputElement>(id);

/** Sends a change of the conditions; the answer (or the harness's error) shows at once. */
async function put(change: Partial<Conditions>): Promise<void> {
  const answer = await api<Conditions>('/conditions', { method: 'PUT', json: change });
  $('#net-error').textContent = answer.ok ? '' : failureText(answer);
  if (answer.ok) setConditions(answer.body);
  else draw(trace.conditions);
}

/** A whole number from a field, or null when it holds none. */
function numberOf(id: string): number | null {
  const value = input(id).value.trim();
  return value === '' || !Number.isFinite(Number(value)) ? null : Number(value);
}

/** The failure the form was last filled with (JSON), so that a redraw does not undo what is typed. */
let drawnFailure = 'null';

/** Shows the conditions in the form, the strip and the bar. */
function draw(c: Conditions): void {
  const active = document.activeElement;
  // A field being typed in keeps what is typed.
  const set = (id: string, value: string) => {
    if (active !== input(id)) input(id).value = value;
  };
  set('#net-latency', String(c.latency));
  set('#net-latency-range', String(Math.min(c.latency, Number(input('#net-latency-range').max))));
  input('#net-offline').checked = c.offline;
  input('#net-delay-default').checked = c.effect_delay === null;
  // null: the harness's own delay (its --effect-delay), shown in the fields, which stand disabled.
  const delay = c.effect_delay ?? trace.effectDelay;
  set('#net-delay', delay === null ? '' : String(delay));
  set('#net-delay-range', String(Math.min(delay ?? 0, Number(input('#net-delay-range').max))));
  $('#net-delay-default-ms').textContent = trace.effectDelay === null ? '' : `: ${trace.effectDelay} ms`;
  input('#net-delay').disabled = input('#net-delay-range').disabled = c.effect_delay === null;
  // The failure form follows a new failure only: what is being typed there for the next one stays.
  const failureNow = JSON.stringify(c.failure);
  if (c.failure && failureNow !== drawnFailure) fillFailure(c.failure);
  drawnFailure = failureNow;
  $<HTMLButtonElement>('#net-fail-clear').disabled = !c.failure;
  $('#net-fail-now').textContent = c.failure ? 'Failing now.' : 'No route fails.';
  const badges = conditionBadges(c);
  $('#cond-strip').innerHTML = badges.map((b) => `<span class="cond-badge">${esc(b)}</span>`).join('');
  $('#cond-strip').hidden = !badges.length;
  $('#cond-badges').innerHTML = conditionBadges(c, true).map((b, i) => `<span class="cond-badge" title="${esc(badges[i])}">${esc(b)}</span>`).join('');
  $('#cond-badges').setAttribute('aria-label', badges.length ? `Network conditions: ${badges.join(', ')}` : 'No network conditions');
  document.body.classList.toggle('conditions-on', badges.length > 0);
}

/** Puts a route into the failure form (not sent yet: the answer is picked first). */
function fillFailure(f: Pick<Failure, 'method' | 'path'> & { answer?: Failure['answer'] }): void {
  const method = $<HTMLSelectElement>('#net-fail-method');
  if (![...method.options].some((o) => o.value === f.method)) method.add(new Option(f.method, f.method));
  method.value = f.method;
  input('#net-fail-path').value = f.path;
  if (f.answer !== undefined) {
    const answer = $<HTMLSelectElement>('#net-fail-answer');
    const value = String(f.answer);
    if (![...answer.options].some((o) => o.value === value)) answer.add(new Option(value, value));
    answer.value = value;
  }
}

/** Wires the panel's fields, the strip, and "Fail this route" from the Requests panel. */
export function initNetwork(): void {
  onTrace((change) => {
    if (change.kind === 'conditions' || change.kind === 'reset') draw(trace.conditions);
  });
  // Sliders move their number at once; the harness hears the value when it is let go.
  input('#net-latency-range').addEventListener('input', () => (input('#net-latency').value = input('#net-latency-range').value));
  input('#net-delay-range').addEventListener('input', () => (input('#net-delay').value = input('#net-delay-range').value));
  for (const id of ['#net-latency', '#net-latency-range']) {
    input(id).addEventListener('change', () => void put({ latency: numberOf(id) ?? 0 }));
  }
  input('#net-offline').addEventListener('change', () => void put({ offline: input('#net-offline').checked }));
  input('#net-delay-default').addEventListener('change', () => void put({ effect_delay: input('#net-delay-default').checked ? null : (numberOf('#net-delay') ?? trace.effectDelay ?? 0) }));
  for (const id of ['#net-delay', '#net-delay-range']) {
    input(id).addEventListener('change', () => void put({ effect_delay: numberOf(id) }));
  }
  $('#net-fail-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const raw = $<HTMLSelectElement>('#net-fail-answer').value;
    const answer = raw === 'drop' ? 'drop' : Number(raw);
    void put({ failure: { method: $<HTMLSelectElement>('#net-fail-method').value, path: input('#net-fail-path').value.trim(), answer } });
  });
  $('#net-fail-clear').addEventListener('click', () => void put({ failure: null }));
  // A field left with a value the harness refused shows again what holds.
  $('#panel-network').addEventListener('focusout', () => draw(trace.conditions));
  $('#net-reset').addEventListener('click', () => void put({ ...NO_CONDITIONS }));
  $('#cond-strip').addEventListener('click', () => showPanel('network'));
  document.addEventListener(FAIL_ROUTE, (event) => {
    const { method, path } = (event as CustomEvent<{ method: string; path: string }>).detail;
    fillFailure({ method, path });
    showPanel('network');
    input('#net-fail-path').focus();
  });
  draw(trace.conditions);
}

/** Reads the session's conditions (when the feed (re)connects without a trace API, or to be sure). */
export async function loadConditions(): Promise<void> {
  const answer = await api<Conditions>('/conditions');
  if (answer.ok) setConditions(answer.body);
}
