/**
 * A small companion page, as a plugin author writes one: "My tasks", with a form that creates a
 * task through an effect, a live list, and a Done button. Its suite (tasks-page.test.ts) is
 * the example of the README's "Testing your page".
 */
import { apiUrl, closeModal, createAndFind, findCreated, isCompanionError, requestJSON, subscribe, type Subscription } from 'canvas-companion';

/** Options a test may shorten; the page itself uses the library's defaults. */
export interface TasksPageOptions {
  /** createAndFind's `interval`, in ms. */
  interval?: number;
  /** createAndFind's `timeout`, in ms. */
  timeout?: number;
}

interface TasksData {
  channel: string;
  tasks: Array<{ id: string; title: string }>;
}

const SIGNED_OUT = 'Your Canvas session has ended. Sign in again to see your tasks.';

/** Renders the page into `root`; returns `unmount()`, which closes its live updates. */
export function mountTasksPage(root: HTMLElement, options: TasksPageOptions = {}): { unmount(): void } {
  root.innerHTML = `
    <h1>My tasks</h1>
    <p role="status"></p>
    <ul></ul>
    <form><input name="title" aria-label="New task"><button type="submit">Add</button></form>
    <button type="button" name="check-again" hidden>Check again</button>
    <button type="button" name="done">Done</button>`;
  const status = root.querySelector<HTMLElement>('[role=status]')!;
  const list = root.querySelector('ul')!;
  const form = root.querySelector('form')!;
  const checkAgain = root.querySelector<HTMLButtonElement>('[name=check-again]')!;
  let live: Subscription | undefined;
  let pending: unknown;
  // Ends what is in flight at unmount: a late answer must not subscribe a page that is gone.
  const lifetime = new AbortController();
  const { signal } = lifetime;
  const find = { find: apiUrl('/app/tasks/find'), signal, ...options };

  const show = (text: string) => (status.textContent = text);

  async function load(): Promise<void> {
    try {
      const data = await requestJSON<TasksData>(apiUrl('/app/tasks/data.json'), { signal });
      if (signal.aborted) return;
      list.replaceChildren(...data.tasks.map((task) => Object.assign(document.createElement('li'), { textContent: task.title })));
      live ??= subscribe(data.channel, (message) => {
        if (message.type === 'tasks_changed') void load();
      });
    } catch (error) {
      if (signal.aborted) return;
      show(isCompanionError(error, 'UNAUTHORIZED') ? SIGNED_OUT : 'Could not load your tasks.');
    }
  }

  /** What a create or a "Check again" ended with. */
  function settle(outcome: Promise<string>): void {
    outcome.then(
      () => {
        if (signal.aborted) return;
        pending = undefined;
        checkAgain.hidden = true;
        show('Task added.');
        void load();
      },
      (error) => {
        if (signal.aborted) return;
        if (isCompanionError(error, 'EFFECT_TIMEOUT')) {
          // Never POST again: the task may still land. Offer to look again for the same one.
          pending = error.ack;
          checkAgain.hidden = false;
          show('Canvas has not confirmed the task yet.');
        } else {
          show(isCompanionError(error, 'UNAUTHORIZED') ? SIGNED_OUT : `Could not add the task: ${(error as Error).message}`);
        }
      },
    );
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const title = new FormData(form).get('title');
    show('Adding…');
    settle(createAndFind({ create: apiUrl('/app/tasks'), body: { title }, ...find }));
  });
  checkAgain.addEventListener('click', () => {
    show('Checking…');
    settle(findCreated(pending, find));
  });
  root.querySelector('[name=done]')!.addEventListener('click', () => void closeModal());

  void load();
  return {
    unmount() {
      lifetime.abort();
      live?.close();
      root.replaceChildren();
    },
  };
}
