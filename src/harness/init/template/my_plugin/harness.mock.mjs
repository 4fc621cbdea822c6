// @ts-check
// The plugin's backend in the harness (`npx canvas-companion harness`) and in the tests
// (test/companion.test.mjs): what applications/companion.py and handlers/*.py do on Canvas, played
// on canvas-companion's mock platform. Change it together with the Python.

/** Set once per start, as VERSION in companion_api.py: the page loads its files with ?v=<this>. */
const v = Date.now().toString(36);
/** Everything GET /app/static/<name> serves, as STATIC in companion_api.py. */
const STATIC = new Set(['companion.mjs', 'companion.css', 'canvas-companion.mjs', 'canvas-companion.umd.min.js']);
const CACHE_FOR_LONG = { 'cache-control': 'public, max-age=31536000, immutable' };

/** An error answer with a JSON body the page can show. @param {number} status @param {string} message */
const error = (status, message) => ({ status, body: { error: message } });

/** @type {import('canvas-companion/testing').MockModule} */
const mock = {
  // What each Application.on_open() returns (applications/companion.py).
  launch: {
    // [global]
    'my_plugin.applications.companion:GlobalApp': '/plugin-io/api/my_plugin/app/',
    // [/global]
    // [patient]
    'my_plugin.applications.companion:PatientApp': ({ patient }) => `/plugin-io/api/my_plugin/app/?patient_id=${patient?.id}`,
    // [/patient]
    // [note]
    'my_plugin.applications.companion:NoteApp': ({ patient, note }) => `/plugin-io/api/my_plugin/app/?patient_id=${patient?.id}&note_id=${note?.id}`,
    // [/note]
  },

  // The SimpleAPI handler's routes (handlers/companion_api.py), under /plugin-io/api/my_plugin.
  routes: {
    'GET /app/': () => ({ file: 'templates/companion.html', context: { v }, headers: { 'cache-control': 'no-store' } }),

    'GET /app/data.json': ({ query, staff }, platform) => {
      const patientId = query.get('patient_id');
      // Task.objects.filter(status=TaskStatus.OPEN), then by patient__id or assignee__id; soonest due first.
      const tasks = patientId ? platform.tasks.list({ patient_id: patientId, status: 'OPEN' }) : platform.tasks.list({ assignee_id: staff.id, status: 'OPEN' });
      return {
        tasks: tasks.slice(0, 100).map(({ id, title }) => ({ id, title })),
        // [live]
        channel: patientId ? `patient-${patientId}` : `staff-${staff.id}`,
        // [/live]
      };
    },

    // Create, then find: the effect lands later, so the answer says how to look the task up.
    'POST /app/tasks': ({ body, staff }, platform) => {
      const { title: given, patient_id: patientId } = /** @type {{ title?: unknown, patient_id?: string | null }} */ (body ?? {});
      const title = typeof given === 'string' ? given.trim() : '';
      if (!title || title.length > 200) return error(400, 'A task needs a title of 1 to 200 characters');
      if (patientId && !platform.patients.get(patientId)) return error(404, 'No such patient');
      // AddTask(title=title, assignee_id=self.staff_id(), patient_id=patient_id).apply()
      platform.apply({ type: 'CREATE_TASK', data: { title, assignee_id: staff.id, patient_id: patientId || null } });
      return { status: 202, body: { status: 'submitted', lookup_params: { title }, lookup_started_at: new Date().toISOString() } };
    },

    'GET /app/tasks/find': ({ query, staff }, platform) => {
      const after = Date.parse(query.get('after') ?? '');
      if (Number.isNaN(after)) return error(400, 'after must be an ISO time');
      const [newest] = platform.tasks
        .list({ assignee_id: staff.id })
        .filter((task) => task.title === query.get('title') && Date.parse(task.created) >= after)
        .sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
      return { task_id: newest?.id ?? null };
    },

    'GET /app/static/<name>': ({ params }) => (STATIC.has(params.name ?? '') ? { file: `static/${params.name}`, headers: CACHE_FOR_LONG } : { status: 404 }),
  },
  // [live]

  // The WebSocketAPI's authenticate() (handlers/companion_live.py): my own channel, or a patient's.
  sockets: {
    'staff-<id>': ({ params, staff }) => params.id === staff.id,
    // [chart]
    'patient-<id>': ({ params }, platform) => platform.patients.get(params.id ?? '') !== null,
    // [/chart]
  },

  // The BaseHandler on task events (TaskBroadcast): a small message; pages refetch over HTTP.
  setup(platform) {
    platform.onChange((change) => {
      if (change.kind !== 'task') return;
      const message = { type: 'tasks_changed', task_id: change.task_id };
      for (const id of change.staff_ids ?? []) platform.broadcast(`staff-${id}`, message);
      // [chart]
      if (change.patient_id) platform.broadcast(`patient-${change.patient_id}`, message);
      // [/chart]
    });
  },
  // [/live]
};

export default mock;
