// Type-level checks of the mock-module contract and of mockPlatform()'s options, as an author's
// TypeScript sees them (the built canvas-companion/testing declarations): `npm run typecheck`
// fails if a good module stops type-checking or a bad one starts to.
import { expectTypeOf } from 'vitest';
import {
  mockPlatform,
  type EffectTiming,
  type Launch,
  type MockModule,
  type MockPlatform,
  type MockPlatformOptions,
  type MockRequest,
  type MockResponse,
  type PluginPlatform,
  type Route,
  type SocketRequest,
  type SocketRule,
  type Staff,
  type Task,
} from 'canvas-companion/testing';
// The example suite's mock: plain JavaScript, typed through JSDoc.
import * as exampleMock from '../example-page/mock.mjs';

// ---- a good module ----------------------------------------------------------------------------

const good = {
  launch: {
    'my_plugin.applications.tasks:Tasks': ({ patient }) => `/plugin-io/api/my_plugin/app/tasks?patient_id=${patient?.id ?? ''}`,
    Desk: '/plugin-io/api/my_plugin/app/desk',
  },
  routes: {
    'GET /app/tasks': () => ({ file: 'templates/tasks.html', context: { v: '1' } }),
    'GET /app/tasks/<id>': ({ params }, platform) => platform.tasks.get(params.id ?? '') ?? { status: 404, body: { error: 'No such task' } },
    'POST /app/tasks': ({ body }, platform) => {
      const { title } = body as { title: string };
      void platform.apply({ type: 'CREATE_TASK', data: { title } });
      return { status: 202, body: { status: 'submitted' } };
    },
    // Every plain value is a JSON body (a number too), null or undefined a 204, a promise of either as well.
    'GET /app/count': (request, platform) => platform.tasks.list().length,
    'GET /app/flag': () => true,
    'GET /app/text': () => 'plain',
    'DELETE /app/tasks/<id>': () => undefined,
    'GET /app/later': async () => ({ status: 200, headers: { 'cache-control': 'no-store' }, body: [1, 2] }),
  },
  sockets: {
    'staff-<id>': ({ params, staff }) => params.id === staff.id,
    'patient-<id>': async ({ params }, platform) => platform.patients.get(params.id ?? '') !== null,
  },
  async setup(platform) {
    platform.onChange((change) => {
      if (change.kind === 'task') platform.broadcast(`staff-${platform.staff.id}`, { type: 'tasks_changed' });
    });
  },
  events: {
    'Maria writes a message': (platform) => {
      platform.messages.add({ sender_id: 'maria', recipient_id: platform.staff.id, content: 'Hello' });
    },
    'A lab result arrives': async (platform) => {
      platform.observations.add({ patient_id: 'maria', category: 'laboratory', name: 'Hemoglobin A1c', value: 7.2 });
    },
  },
} satisfies MockModule;
void good;

// What routes, rules and launch functions receive.
expectTypeOf<Parameters<Route>>().toEqualTypeOf<[MockRequest, PluginPlatform]>();
expectTypeOf<MockRequest['params']>().toEqualTypeOf<Record<string, string>>();
expectTypeOf<MockRequest['query']>().toEqualTypeOf<URLSearchParams>();
expectTypeOf<MockRequest['body']>().toEqualTypeOf<unknown>();
expectTypeOf<MockRequest['staff']>().toEqualTypeOf<Staff>();
expectTypeOf<Parameters<SocketRule>>().toEqualTypeOf<[SocketRequest, PluginPlatform]>();
expectTypeOf<ReturnType<SocketRule>>().toEqualTypeOf<boolean | Promise<boolean>>();
expectTypeOf<Extract<Launch, (...args: never[]) => unknown>>().parameter(0).toEqualTypeOf<{ patient: { id: string } | null; note: { id: string } | null; staff: Staff }>();
expectTypeOf<ReturnType<PluginPlatform['tasks']['list']>>().toEqualTypeOf<Task[]>();
expectTypeOf<null>().toMatchTypeOf<MockResponse>();

// A JavaScript mock typed through JSDoc: its exports have the contract's types, and spread into mockPlatform().
expectTypeOf(exampleMock.routes).toEqualTypeOf<MockModule['routes']>();
expectTypeOf(exampleMock.sockets).toEqualTypeOf<MockModule['sockets']>();
expectTypeOf(mockPlatform({ ...exampleMock, effects: { finds: 1, find: 'GET /app/tasks/find' } })).toEqualTypeOf<MockPlatform>();

// ---- bad modules ------------------------------------------------------------------------------

// A route that is not a function.
// @ts-expect-error: a route is (request, platform) => response
const numberRoute: MockModule = { routes: { 'GET /x': 42 } };
// A route whose answer is no response: a BigInt is no JSON, a function no body.
// @ts-expect-error: a bigint is not a MockResponse
const bigintRoute: MockModule = { routes: { 'GET /x': () => 1n } };
// @ts-expect-error: a function is not a MockResponse
const functionRoute: MockModule = { routes: { 'GET /x': () => () => 'later' } };
// A route that expects another request.
// @ts-expect-error: params are strings
const paramsRoute: MockModule = { routes: { 'GET /x/<n>': ({ params }: { params: Record<string, number> }) => params.n } };

// Exports the contract does not have, or of another shape.
// @ts-expect-error: `rotues` is no export of a mock module
const misspelled: MockModule = { rotues: {} };
// @ts-expect-error: routes are a table, not a list
const routeList: MockModule = { routes: [() => null] };
// @ts-expect-error: a launch URL is a string or a function returning one
const launchNumber: MockModule = { launch: { Main: 42 } };
// @ts-expect-error: a launch function returns the URL
const launchVoid: MockModule = { launch: { Main: () => undefined } };
// @ts-expect-error: setup is a function of the platform
const setupValue: MockModule = { setup: 'seed' };
// @ts-expect-error: an event is a function of the platform
const eventValue: MockModule = { events: { 'It rains': 'wet' } };

// Socket rules with the wrong parameters, or not answering a boolean.
// @ts-expect-error: params are strings
const socketParams: MockModule = { sockets: { 'staff-<id>': ({ params }: { params: number[] }) => params.length > 0 } };
// @ts-expect-error: the request is a SocketRequest, not a channel string
const socketChannel: MockModule = { sockets: { 'staff-<id>': (channel: string) => channel.length > 0 } };
// @ts-expect-error: a rule answers true or false, not the id
const socketString: MockModule = { sockets: { 'staff-<id>': ({ params }) => params.id } };

// Effects: known types with their fields only.
const effects: Route = (request, platform) => {
  void platform.apply({ type: 'UPDATE_TASK', data: { id: 'x', status: 'COMPLETED' } }, { after: 0 });
  void platform.apply({ type: 'ORIGINATE_VITALS_COMMAND', data: { note_uuid: 'n', pulse: 72 }, commit: true });
  void platform.apply({ type: 'CUSTOM', name: 'fax sent', run: () => platform.tasks.list() });
  // @ts-expect-error: no such effect type
  void platform.apply({ type: 'teleport' });
  // @ts-expect-error: the SDK's names only (CREATE_TASK)
  void platform.apply({ type: 'create_task', data: { title: 'x' } });
  // @ts-expect-error: CREATE_TASK needs a title
  void platform.apply({ type: 'CREATE_TASK', data: {} });
  // @ts-expect-error: the Patient effect says birthdate
  void platform.apply({ type: 'CREATE_PATIENT', data: { first_name: 'A', last_name: 'B', birth_date: '2000-01-01' } });
  // @ts-expect-error: TaskStatus is upper case
  void platform.apply({ type: 'UPDATE_TASK', data: { id: 'x', status: 'completed' } });
  // @ts-expect-error: a vitals command takes the VitalsCommand's fields
  void platform.apply({ type: 'ORIGINATE_VITALS_COMMAND', data: { note_uuid: 'n', bp: 1 } });
  // @ts-expect-error: a broadcast message is an object
  platform.broadcast('staff-1', 'hello');
  return null;
};

// ---- mockPlatform() options -------------------------------------------------------------------

const options: MockPlatformOptions = {
  routes: { 'GET /app/x': () => ({ ok: true }) },
  sockets: { '*': () => true },
  plugin: 'my_plugin',
  effects: { after: 0 },
  signedIn: false,
  now: new Date('2026-01-01'),
  log: (line: string) => void line,
};
expectTypeOf(mockPlatform(options)).toEqualTypeOf<MockPlatform>();
expectTypeOf(mockPlatform()).toEqualTypeOf<MockPlatform>();
expectTypeOf(mockPlatform({ default: { routes: { 'GET /app/x': () => 1 } } })).toEqualTypeOf<MockPlatform>();
expectTypeOf<{ finds: number; find: string }>().toMatchTypeOf<EffectTiming>();
expectTypeOf<MockPlatform>().toMatchTypeOf<PluginPlatform>();
expectTypeOf<MockPlatform['fetch']>().toEqualTypeOf<typeof fetch>();
expectTypeOf<MockPlatform['WebSocket']>().toEqualTypeOf<typeof WebSocket>();

// @ts-expect-error: finds is a number
mockPlatform({ effects: { finds: 'all' } });
// @ts-expect-error: effects are { after } or { finds, find? }
mockPlatform({ effects: 1200 });
// @ts-expect-error: the plugin is its name
mockPlatform({ plugin: 42 });
// @ts-expect-error: signedIn is a boolean
mockPlatform({ signedIn: 'yes' });
// @ts-expect-error: now is a Date
mockPlatform({ now: '2026-01-01' });
// @ts-expect-error: log takes the line
mockPlatform({ log: (line: number) => void line });
// @ts-expect-error: no such option
mockPlatform({ plugins: ['my_plugin'] });
// @ts-expect-error: a default export is a mock module too
mockPlatform({ default: { routes: { 'GET /x': 42 } } });

void [numberRoute, bigintRoute, functionRoute, paramsRoute, misspelled, routeList, launchNumber, launchVoid, setupValue, eventValue, socketParams, socketChannel, socketString, effects];
