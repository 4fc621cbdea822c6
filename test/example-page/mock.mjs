// @ts-check
// The example plugin's backend: a mock module as canvas-companion/testing's MockModule describes
// it, the harness's `--mock FILE` (with the plugin folder it belongs to). The test kit's
// mockPlatform() runs it on the same platform core, so these routes answer the page alike in both.
// JSDoc types the exports (and TypeScript tests that import them) against that contract.

/** @typedef {import('canvas-companion/testing').MockModule} MockModule */

/** A response with an error body. @param {number} status @param {string} message */
const error = (status, message) => ({ status, body: { error: message } });

/** @type {MockModule['routes']} */
export const routes = {
  'GET /app/tasks/data.json': ({ staff }, platform) => ({
    channel: `staff-${staff.id}`,
    tasks: platform.tasks.list({ assignee_id: staff.id, status: 'OPEN' }).map(({ id, title }) => ({ id, title })),
  }),

  // Create (202 with what identifies the record), then find: the documented effect pattern.
  'POST /app/tasks': ({ body, staff }, platform) => {
    // The body is whatever the page sent: parsed JSON, text or null.
    const { title: given } = /** @type {{ title?: unknown }} */ (body ?? {});
    const title = typeof given === 'string' ? given.trim() : '';
    if (!title || title.length > 200) return error(400, 'A task needs a title of 1 to 200 characters');
    // AddTask(title=…, assignee_id=…).apply()
    platform.apply({ type: 'CREATE_TASK', data: { title, assignee_id: staff.id } });
    return { status: 202, body: { status: 'submitted', lookup_params: { title }, lookup_started_at: new Date().toISOString() } };
  },

  'GET /app/tasks/find': ({ query, staff }, platform) => {
    const after = Date.parse(query.get('after') ?? '');
    if (Number.isNaN(after)) return error(400, 'after must be an ISO time');
    const found = platform.tasks.list({ assignee_id: staff.id }).find((task) => task.title === query.get('title') && Date.parse(task.created) >= after);
    return { task_id: found?.id ?? null };
  },
};

// The WebSocketAPI's authenticate(): a staff member may listen to their own channel only.
/** @type {MockModule['sockets']} */
export const sockets = {
  'staff-<id>': ({ params, staff }) => params.id === staff.id,
};
