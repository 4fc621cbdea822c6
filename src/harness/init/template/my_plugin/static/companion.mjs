// @ts-check
// The page: open tasks (the signed-in user's in global scope, the patient's in patient and note
// scope), a form that adds one, and Close. The browser loads it from static/, where
// templates/companion.html maps "canvas-companion" to the vendored copy; the tests import it.
// Canvas serves it through Django's render_to_string: no brace here may be followed by another, by % or by #.
import { apiUrl, applyScope, closeModal, createAndFind, getContext, isCompanionError, requestJSON } from 'canvas-companion';
// [live]
import { subscribe } from 'canvas-companion';
// [/live]

const SIGNED_OUT = 'Your Canvas session has ended: sign in again, then reopen this app.';
// [live]
/** What the live pill says for each subscription status. */
const LIVE = { connecting: 'Connecting…', open: 'Live', reconnecting: 'Reconnecting…', unauthorized: 'Signed out', closed: 'Offline' };
// [/live]

/**
 * What GET /app/data.json answers.
 * @typedef {object} TaskList
 * @property {Array<{ id: string, title: string }>} tasks Open tasks, soonest due first.
 * [live]
 * @property {string} channel Where the plugin broadcasts that tasks changed.
 * [/live]
 */

/**
 * @typedef {object} PageOptions
 * @property {number} [interval] How often the page looks for a task it added, in ms (createAndFind's, default 500).
 * @property {number} [timeout] For how long, in ms (createAndFind's, default 5000).
 */

/**
 * The running page.
 * @typedef {object} Page
 * @property {() => void} unmount Ends what is in flight.
 */

/** @param {unknown} error */
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/**
 * Draws the page into `root` and starts it: loads the list at once,
 * [live]
 * with or without a socket, then again on every broadcast and every (re)connect of the channel,
 * [/live]
 * and adds tasks through the plugin's create-then-find routes.
 * @param {HTMLElement} root
 * @param {PageOptions} [options]
 * @returns {Page}
 */
export function mount(root, options = {}) {
  // The scope comes from the launch URL; CSS hides the page's own header in patient and note scope.
  const context = applyScope(getContext());
  const query = context.patientId ? { patient_id: context.patientId } : {};
  root.innerHTML = `
    <header class="page-header"><h1>My plugin</h1></header>
    <p class="status" role="status"></p>
    <ul class="tasks" aria-label="Open tasks"></ul>
    <p class="empty" hidden>No open tasks.</p>
    <form class="add" autocomplete="off">
      <input name="title" aria-label="New task" placeholder="New task" maxlength="200" required>
      <button type="submit">Add</button>
    </form>
    <footer class="bar"><button type="button" name="close">Close</button></footer>`;
  const status = /** @type {HTMLElement} */ (root.querySelector('.status'));
  const list = /** @type {HTMLElement} */ (root.querySelector('.tasks'));
  const empty = /** @type {HTMLElement} */ (root.querySelector('.empty'));
  const form = /** @type {HTMLFormElement} */ (root.querySelector('form'));
  const input = /** @type {HTMLInputElement} */ (form.elements.namedItem('title'));
  const add = /** @type {HTMLButtonElement} */ (form.querySelector('button'));
  // Ends what is in flight at unmount: a late answer must not touch a page that is gone.
  const lifetime = new AbortController();
  const { signal } = lifetime;
  /** Counts loads: only the newest one's answer is shown. */
  let loads = 0;
  // [live]
  /** @type {import('canvas-companion').Subscription | undefined} */
  let live;
  const pill = Object.assign(document.createElement('span'), { className: 'live' });
  root.querySelector('.bar')?.prepend(pill);
  /** @param {import('canvas-companion').SubscriptionStatus} state */
  const showLive = (state) => {
    pill.dataset.status = state;
    pill.textContent = LIVE[state];
  };
  // [/live]

  /** @param {string} text @param {'info' | 'error'} [kind] */
  function show(text, kind = 'info') {
    status.textContent = text;
    status.dataset.kind = kind;
  }

  /** @param {TaskList['tasks']} tasks */
  function render(tasks) {
    list.replaceChildren(...tasks.map((task) => Object.assign(document.createElement('li'), { textContent: task.title })));
    empty.hidden = tasks.length > 0;
  }

  async function load() {
    const mine = ++loads;
    try {
      const data = /** @type {TaskList} */ (await requestJSON(apiUrl('/app/data.json', { query }), { signal }));
      if (mine !== loads) return;
      render(data.tasks);
      if (status.dataset.kind === 'error') show('');
      // [live]
      // Subscribes once the answer names the channel. The list above came without the socket, so
      // the page works when the socket is refused; onOpen refetches on every (re)connect, since
      // broadcasts sent while the socket was down are lost.
      live ??= subscribe(
        data.channel,
        (message) => {
          if (message.type === 'tasks_changed') void load();
        },
        { onOpen: () => void load(), onStatus: showLive, authProbe: apiUrl('/app/data.json', { query }) },
      );
      // [/live]
    } catch (error) {
      if (signal.aborted || mine !== loads) return;
      show(isCompanionError(error, 'UNAUTHORIZED') ? SIGNED_OUT : `Could not load the tasks: ${messageOf(error)}`, 'error');
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const title = input.value.trim();
    if (!title) return;
    add.disabled = true;
    show('Adding…');
    try {
      // One POST (202: Canvas applies the effect after answering), then GETs of /app/tasks/find
      // until the task exists: never "added" before Canvas confirms it.
      await createAndFind({
        create: apiUrl('/app/tasks'),
        body: { title, patient_id: context.patientId },
        find: apiUrl('/app/tasks/find'),
        signal,
        // [live]
        // A broadcast on the channel makes it look again at once, not at its next poll.
        ...(live ? { wake: live } : {}),
        // [/live]
        ...options,
      });
      input.value = '';
      show('Task added.');
      void load();
    } catch (error) {
      if (signal.aborted) return;
      if (isCompanionError(error, 'EFFECT_TIMEOUT')) show('Canvas has not confirmed the task yet: it may still appear.', 'error');
      else show(isCompanionError(error, 'UNAUTHORIZED') ? SIGNED_OUT : `Could not add the task: ${messageOf(error)}`, 'error');
    } finally {
      add.disabled = false;
    }
  });
  root.querySelector('[name=close]')?.addEventListener('click', () => void closeModal());

  void load();
  return {
    unmount() {
      lifetime.abort();
      // [live]
      live?.close();
      // [/live]
      root.replaceChildren();
    },
  };
}
