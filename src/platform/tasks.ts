/**
 * Tasks: written with the task effects' fields (`AddTask`, `UpdateTask`, `AddTaskComment` in
 * `canvas_sdk.effects.task`), read as the data model names them (`creator`, `labels`,
 * `comments`). `CREATE_TASK`, `UPDATE_TASK`, `CREATE_TASK_COMMENT` and the direct writes share
 * these checks.
 * @module
 */
import { LINKABLE_OBJECT, TASK_PRIORITY, TASK_STATUS } from './enums.js';
import { checkFields, checkFilter, dateTime, listOf, nullable, oneOf, string, type Checked } from './fields.js';
import { canonicalId, uuid } from './ids.js';
import type { Lookups } from './lookups.js';
import type { StoredTask } from './sample-data.js';
import type { TaskStatus } from './enums.js';
import type { PluginPlatform, Task, TaskLabel } from './types.js';
import { copy, fail } from './values.js';

const id = string(100);
const staffKey = nullable(string(100));
/** `UpdateTask`'s fields and their checks (`AddTask` has these and more). */
const UPDATE_FIELDS = {
  id,
  assignee_id: staffKey,
  team_id: nullable(id),
  patient_id: nullable(id),
  title: string(500, true),
  due: nullable(dateTime),
  status: oneOf(TASK_STATUS),
  priority: nullable(oneOf(TASK_PRIORITY)),
  labels: listOf(string(50, true)),
};
/** `AddTask`'s fields and their checks. */
const ADD_FIELDS = {
  ...UPDATE_FIELDS,
  id: nullable(id),
  linked_object_id: nullable(id),
  linked_object_type: nullable(oneOf(LINKABLE_OBJECT)),
  author_id: staffKey,
};
/** `AddTaskComment`'s fields and their checks. */
const COMMENT_FIELDS = { body: string(10_000, true), task_id: id, author_id: staffKey };

/** Names authors reach for that the task effects spell otherwise. */
const HINTS: Readonly<Record<string, string>> = {
  task_id: 'UpdateTask calls the task id just id',
  assignee: 'the effect takes assignee_id (a staff key)',
  patient: 'the effect takes patient_id (a patient key)',
  creator: 'the effect calls the writer author_id',
  creator_id: 'the effect calls the writer author_id',
  description: 'tasks have a title; notes go in a comment (CREATE_TASK_COMMENT)',
  comment: 'comments are their own effect: CREATE_TASK_COMMENT { task_id, body }',
};

/** Open tasks list first, then completed, then closed ones. */
const STATUS_ORDER: Record<TaskStatus, number> = { OPEN: 0, COMPLETED: 1, CLOSED: 2 };
/** What `tasks.list()` filters by. */
const TASK_FILTERS = ['assignee_id', 'patient_id', 'team_id', 'status', 'label'];

/** Sooner due first, tasks without a due date last (as `order_by("due")` lists them on Canvas). */
function byDueNoneLast(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a == null) return 1;
  if (b == null) return -1;
  return a.localeCompare(b);
}

/** The tasks of one platform: `platform.tasks`, and the writes the task effects land with. */
export function createTasks(lookups: Lookups): PluginPlatform['tasks'] & {
  /** Checks a task effect's data now (for `apply`). */
  check(where: string, data: unknown, kind: 'add' | 'update' | 'comment'): void;
  /** Creates a task from effect data. */
  create(where: string, data: unknown): Task;
  /** Changes a task from effect data (`id` inside). */
  change(where: string, data: unknown): Task;
  /** Adds a comment from effect data. */
  addComment(where: string, data: unknown): Task;
} {
  const { data } = lookups;
  const findTask = (taskId: unknown) => data.tasks.find((x) => x.id === canonicalId(taskId)) ?? null;
  const needTask = (taskId: unknown, where: string) => findTask(taskId) ?? fail(`${where}: no task ${JSON.stringify(taskId)}`);
  const labelOf = (name: string): TaskLabel => data.labels.find((l) => l.name === name) ?? { id: '', name, color: 'grey' };

  /** A stored task as reads return it: a new object, with names, label colors and comment writers. */
  const view = (x: StoredTask): Task => ({
    ...copy(x),
    patient: lookups.patientRef(x.patient_id), assignee: lookups.staffRef(x.assignee_id), team: x.team_id ? { id: x.team_id, name: lookups.needTeam(x.team_id, 'task').name } : null,
    creator: lookups.staffRef(x.creator_id),
    labels: x.labels.map((name) => ({ ...labelOf(name) })),
    comments: x.comments.map((c) => ({ ...c, creator: lookups.staffRef(c.creator_id) })),
  });

  /** The references of checked fields, looked up: each must exist, as the SDK checks in its database. */
  function references(fields: Checked<typeof ADD_FIELDS>, where: string) {
    if (fields.assignee_id) lookups.needStaff(fields.assignee_id, `${where}: assignee_id`);
    if (fields.author_id) lookups.needStaff(fields.author_id, `${where}: author_id`);
    if (fields.team_id) lookups.needTeam(fields.team_id, `${where}: team_id`);
    if (fields.patient_id) lookups.needPatient(fields.patient_id, `${where}: patient_id`);
  }

  function checkAdd(where: string, input: unknown) {
    const fields = checkFields(where, input, ADD_FIELDS, ['title'], HINTS);
    references(fields, where);
    if ((fields.linked_object_id == null) !== (fields.linked_object_type == null)) fail(`${where}: linked_object_id and linked_object_type go together`);
    if (fields.id != null && (!canonicalId(fields.id) || findTask(fields.id))) fail(`${where}: id must be a new UUID (got ${JSON.stringify(fields.id)})`);
    return fields;
  }
  function checkUpdate(where: string, input: unknown) {
    const fields = checkFields(where, input, UPDATE_FIELDS, ['id'], HINTS);
    return { fields, task: (references(fields, where), needTask(fields.id, where)) };
  }
  function checkComment(where: string, input: unknown) {
    const fields = checkFields(where, input, COMMENT_FIELDS, ['body', 'task_id'], { id: 'AddTaskComment calls the task task_id', text: 'AddTaskComment calls it body' });
    if (fields.author_id) lookups.needStaff(fields.author_id, `${where}: author_id`);
    return { fields, task: needTask(fields.task_id, where) };
  }

  /** Labels by name, new names added to the practice's labels (grey), as names are what AddTask gives. */
  function useLabels(names: readonly string[]): string[] {
    for (const name of names) if (!data.labels.some((l) => l.name === name)) data.labels.push({ id: uuid(), name, color: 'grey' });
    return [...new Set(names)];
  }

  /** Notifies a change: the assignee (and the one a reassignment took it from) and the patient. */
  function changed(task: StoredTask, action: 'created' | 'updated', before: string | null = task.assignee_id) {
    const staff_ids = [...new Set([task.assignee_id, before].filter((s): s is string => s !== null))];
    lookups.emit({ kind: 'task', action, id: task.id, task_id: task.id, patient_id: task.patient_id, staff_ids, record: view(task) });
    return view(task);
  }

  function create(where: string, input: unknown): Task {
    const fields = checkAdd(where, input);
    const time = lookups.now();
    const task: StoredTask = {
      id: canonicalId(fields.id) ?? uuid(), created: time, modified: time, title: fields.title!, status: fields.status ?? 'OPEN', priority: fields.priority ?? null,
      due: fields.due ?? null, task_type: 'T', patient_id: fields.patient_id ? lookups.needPatient(fields.patient_id, where).id : null, assignee_id: fields.assignee_id ?? null,
      team_id: canonicalId(fields.team_id), creator_id: fields.author_id ?? null, labels: useLabels(fields.labels ?? []), comments: [],
      linked_object: fields.linked_object_id ? { id: fields.linked_object_id, type: fields.linked_object_type! } : null,
    };
    data.tasks.push(task);
    return changed(task, 'created');
  }

  function change(where: string, input: unknown): Task {
    const { fields, task } = checkUpdate(where, input);
    const before = task.assignee_id;
    if (fields.title !== undefined) task.title = fields.title;
    if (fields.status !== undefined) task.status = fields.status;
    if (fields.priority !== undefined) task.priority = fields.priority;
    if (fields.due !== undefined) task.due = fields.due;
    if (fields.assignee_id !== undefined) task.assignee_id = fields.assignee_id;
    if (fields.team_id !== undefined) task.team_id = canonicalId(fields.team_id);
    if (fields.patient_id !== undefined) task.patient_id = fields.patient_id;
    if (fields.labels !== undefined) task.labels = useLabels(fields.labels);
    task.modified = lookups.now();
    return changed(task, 'updated', before);
  }

  function addComment(where: string, input: unknown): Task {
    const { fields, task } = checkComment(where, input);
    const time = lookups.now();
    task.comments.push({ id: uuid(), created: time, modified: time, creator_id: fields.author_id ?? null, body: fields.body! });
    task.modified = time;
    return changed(task, 'updated');
  }

  return {
    list(filter = {}) {
      checkFilter('tasks.list', filter, TASK_FILTERS);
      const { assignee_id, patient_id, team_id, status, label } = filter;
      if (status !== undefined && !Object.hasOwn(STATUS_ORDER, status)) fail(`tasks.list: status must be one of "OPEN", "COMPLETED", "CLOSED" (got ${JSON.stringify(status)})`);
      return data.tasks
        .filter((x) => (assignee_id === undefined || x.assignee_id === assignee_id) && (patient_id === undefined || x.patient_id === patient_id))
        .filter((x) => (team_id === undefined || x.team_id === canonicalId(team_id)) && (status === undefined || x.status === status) && (label === undefined || x.labels.includes(label)))
        .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || byDueNoneLast(a.due, b.due) || a.created.localeCompare(b.created))
        .map(view);
    },
    get(taskId) {
      const found = findTask(taskId);
      return found && view(found);
    },
    add: (fields) => create('tasks.add', fields),
    update: (taskId, fields) => change('tasks.update', { ...fields, id: taskId }),
    comment: (fields) => addComment('tasks.comment', fields),
    labels: () => copy(data.labels),
    check: (where, input, kind) => void { add: checkAdd, update: checkUpdate, comment: checkComment }[kind](where, input),
    create,
    change,
    addComment,
  };
}
