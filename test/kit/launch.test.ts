import { afterEach, expect, it } from 'vitest';
import { apiUrl, getContext, pluginName, socketUrl } from 'canvas-companion';
import { connectHost, launch, resetState } from 'canvas-companion/testing';

const PATIENT = '3e1f7a52-8c4d-4b6e-a1f0-2d9c8b7a6e51';
const NOTE = '0c0ffee0-0000-4000-8000-000000000001';
const start = location.href;

afterEach(() => history.replaceState(null, '', start));

it('sets a global launch of my_plugin by default', () => {
  expect(launch()).toBe(`${location.origin}/plugin-io/api/my_plugin/app/`);
  expect(location.pathname).toBe('/plugin-io/api/my_plugin/app/');
  expect(pluginName()).toBe('my_plugin');
  expect(getContext().scope).toBe('global');
  expect(apiUrl('/app/find')).toBe('/plugin-io/api/my_plugin/app/find');
});

it('sets patient and note scope, with the plugin and path given', () => {
  launch({ patientId: PATIENT, plugin: 'tasks_plugin', path: '/app/tasks' });
  expect(getContext()).toMatchObject({ scope: 'patient', patientId: PATIENT, noteId: null });
  expect(socketUrl('staff-1')).toBe(`ws://${location.host}/plugin-io/ws/tasks_plugin/staff-1/`);
  launch({ patientId: PATIENT, noteId: NOTE, plugin: 'tasks_plugin', path: '/app/vitals' });
  expect(location.search).toBe(`?patient_id=${PATIENT}&note_id=${NOTE}`);
  expect(getContext()).toMatchObject({ scope: 'note', patientId: PATIENT, noteId: NOTE });
});

it('keeps a query of the path, and passes IDs as given (an invalid launch can be tested)', () => {
  launch({ path: '/app/tasks?view=compact', patientId: 'not-a-uuid' });
  expect(getContext().params.get('view')).toBe('compact');
  expect(getContext().scope).toBe('global');
});

it('stays on the page origin and refuses names that are not a plugin or a path', () => {
  launch({ path: '//evil.example/x' });
  expect(location.origin).toBe(new URL(start).origin);
  expect(() => launch({ plugin: 'my-plugin' })).toThrow(TypeError);
  expect(() => launch({ plugin: '../x' })).toThrow(TypeError);
  expect(() => launch({ path: 'app' })).toThrow(TypeError);
});

it('resetState() and host.reset() put back the URL from before the first launch, so it does not leak into the next test', () => {
  launch({ patientId: PATIENT });
  launch({ patientId: PATIENT, noteId: NOTE, path: '/app/notes' });
  resetState();
  expect(location.href).toBe(start);
  expect(getContext().scope).toBe('global');
  const host = connectHost();
  launch({ plugin: 'other_plugin' });
  host.reset();
  expect(location.href).toBe(start);
  // Nothing to put back when no launch ran since.
  history.replaceState(null, '', '/elsewhere');
  resetState();
  expect(location.pathname).toBe('/elsewhere');
});
