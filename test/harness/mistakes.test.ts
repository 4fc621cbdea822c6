/**
 * Mistakes say what and where: unknown mock exports and route keys with the nearest valid name, a
 * mock that does not load with file:line:column and the line, a route answer of the wrong shape
 * with the right one, a template variable without a value rendered "" (as Django does) with a log
 * line, manifest JSON errors with the file's path, line and column, an unknown scope with the three
 * valid ones, a launch key that names no application.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHarness } from '../../src/harness/index.js';

const dir = mkdtempSync(join(tmpdir(), 'harness-mistakes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A plugin folder: its manifest (or the manifest's text), its mock, and other files. */
function plugin(name: string, mock: string, { manifest, files = {} }: { manifest?: unknown; files?: Record<string, string> } = {}): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const declared = manifest ?? { name, components: { applications: [{ class: `${name}.apps:Main`, name: 'Main', scope: 'provider_companion_global' }] } };
  writeFileSync(join(folder, 'CANVAS_MANIFEST.json'), typeof declared === 'string' ? declared : JSON.stringify(declared, null, 2));
  writeFileSync(join(folder, 'harness.mock.mjs'), mock);
  for (const [path, content] of Object.entries(files)) writeFileSync(join(folder, path), content);
  return folder;
}

/** Starts a harness on one plugin folder; resolves its log lines and closes it (or rejects as startHarness does). */
async function startLines(folder: string, onStarted?: (origin: string, cookie: string) => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const harness = await startHarness({ port: 0, pluginDirs: [{ dir: folder }], log: (line) => lines.push(line) });
  try {
    const cookie = (await fetch(harness.url)).headers.get('set-cookie')!.split(';')[0]!;
    await onStarted?.(harness.origin, cookie);
  } finally {
    await harness.close();
  }
  return lines;
}

describe('mistakes say what and where', () => {
  it('warns for each unknown export with the nearest valid name (reserved words too)', async () => {
    const lines = await startLines(plugin('typos', `
      export const route = {};
      export const Routes = {};
      export const lauch = {};
      export const helper = 1;
      export default { static: { '/static/': 'static' }, public: [] };`));
    const warned = (key: string) => lines.filter((line) => line.startsWith(`typos: the mock exports "${key}", which is not part of a mock module (routes, sockets, launch, setup, events, files, publicRoutes)`));
    expect(warned('route')).toEqual([expect.stringMatching(/: did you mean routes\?$/)]);
    expect(warned('Routes')).toEqual([expect.stringMatching(/: did you mean routes\?$/)]);
    expect(warned('lauch')).toEqual([expect.stringMatching(/: did you mean launch\?$/)]);
    expect(warned('static')).toEqual([expect.stringMatching(/: did you mean files\? \(static is a reserved word in JavaScript modules\)$/)]);
    expect(warned('public')).toEqual([expect.stringMatching(/: did you mean publicRoutes\?/)]);
    expect(warned('helper')).toEqual([expect.stringMatching(/publicRoutes\)$/)]);
  });

  it('refuses a malformed route key, naming the key it should be', async () => {
    const cases = [
      ["'get /x'", '"GET /x"'],
      ["'GTE /x'", '"GET /x"'],
      ["'POST x/y'", '"POST /x/y"'],
    ];
    for (const [i, [key, suggestion]] of cases.entries()) {
      const folder = plugin(`badkey${i}`, `export const routes = { ${key}: () => 1 };`);
      await expect(startLines(folder), key).rejects.toThrow(`route ${key!.replaceAll("'", '"')}: expected "METHOD /path" with METHOD one of GET, POST, PUT, PATCH, DELETE: did you mean ${suggestion}?`);
    }
  });

  it('reports a mock that does not load with file:line:column and the line itself', async () => {
    const syntax = plugin('syntax', "export const routes = {\n  'GET /x': () => ({ a: 1 ),\n};\n");
    const file = join(syntax, 'harness.mock.mjs');
    await expect(startLines(syntax)).rejects.toThrow(`--mock ${file}:2:27: could not load it: SyntaxError: Unexpected token ')' (the line: "'GET /x': () => ({ a: 1 ),")`);
    const thrown = plugin('thrown', "const a = 1;\nexport const routes = missing.routes;\n");
    await expect(startLines(thrown)).rejects.toThrow(new RegExp(`^--mock ${join(thrown, 'harness.mock.mjs').replace(/[.]/g, '\\.')}:2:\\d+: could not load it: ReferenceError: missing is not defined \\(the line: "export const routes = missing\\.routes;"\\)$`));
    const missing = plugin('missing_import', "// helpers\nimport { x } from 'no-such-package-anywhere';\nexport const routes = {};\n");
    await expect(startLines(missing)).rejects.toThrow(new RegExp(`^--mock ${join(missing, 'harness.mock.mjs').replace(/[.]/g, '\\.')}:2:\\d+: could not load it: .*no-such-package-anywhere.* \\(the line: "import \\{ x \\} from 'no-such-package-anywhere';"\\)$`));
  });

  it('warns once per route when an answer of the wrong shape is served as a JSON body, with the right shape', async () => {
    const folder = plugin('shapes', `
      export const routes = {
        'GET /error': () => ({ status: 404, error: 'No such task' }),
        'GET /code': () => ({ statusCode: 404, body: { error: 'gone' } }),
        'GET /text': () => ({ status: '404', body: 'gone' }),
        'GET /body': () => ({ body: { a: 1 } }),
        'GET /file': () => ({ file: 'page.html', contxt: { who: 'x' } }),
        'GET /data': () => ({ status: 'submitted', n: 1 }),
        'GET /fine': () => ({ status: 404, body: { error: 'fine' } }),
      };`);
    const lines = await startLines(folder, async (origin, cookie) => {
      for (const path of ['error', 'error', 'code', 'text', 'body', 'file', 'data', 'fine']) await (await fetch(`${origin}/plugin-io/api/shapes/${path}`, { headers: { cookie } })).text();
    });
    const shape = lines.filter((line) => line.includes('which is served as a 200 JSON body'));
    expect(shape).toEqual([
      'shapes: route "GET /error" answered { status: 404, error: "No such task" }, which is served as a 200 JSON body: a response is { status, body?, headers? } or { file, context?, status?, headers? }: did you mean { status: 404, body: { error: … } }?',
      'shapes: route "GET /code" answered { statusCode: 404, body: … }, which is served as a 200 JSON body: a response is { status, body?, headers? } or { file, context?, status?, headers? }: "statusCode": did you mean status?',
      'shapes: route "GET /text" answered { status: "404", body: "gone" }, which is served as a 200 JSON body: a response is { status, body?, headers? } or { file, context?, status?, headers? }: status must be a number (status: 404)',
      'shapes: route "GET /body" answered { body: … }, which is served as a 200 JSON body: a response is { status, body?, headers? } or { file, context?, status?, headers? }: add a status, e.g. { status: 200, body: … }',
      'shapes: route "GET /file" answered { file: "page.html", contxt: … }, which is served as a 200 JSON body: a response is { status, body?, headers? } or { file, context?, status?, headers? }: "contxt": did you mean context?',
    ]);
  });

  it('renders a template variable without a value as "" (as Django does), with a log line naming it', async () => {
    const folder = plugin('template', `export const routes = { 'GET /page': () => ({ file: 'page.html', context: { who: '<Ada>', patient: { name: 'Maria' }, none: null } }) };`, {
      files: { 'page.html': '<p>{{ who }}|{{ patient_id }}|{{patient.name}}|{{ patient.id }}|{{ none }}|{{ patient_id }}</p>' },
    });
    let page = '';
    const lines = await startLines(folder, async (origin, cookie) => {
      page = await (await fetch(`${origin}/plugin-io/api/template/page`, { headers: { cookie } })).text();
    });
    expect(page).toBe('<p>&#60;Ada&#62;||Maria||None|</p>');
    expect(lines.filter((line) => line.includes('has no value for'))).toEqual([
      'GET /plugin-io/api/template/page: page.html has no value for {{ patient_id }}, {{ patient.id }}: rendered "" as Django does (route "GET /page")',
    ]);
  });

  it('gives a manifest\'s JSON error with the file\'s path (in its subfolder), line and column', async () => {
    const repo = join(dir, 'repo');
    const folder = join(repo, 'broken_manifest');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'CANVAS_MANIFEST.json'), '{\n  "name": "broken_manifest",\n  "components": {}\n  "tags": {}\n}\n');
    await expect(startHarness({ port: 0, pluginDirs: [{ dir: repo }], log: () => {} })).rejects.toThrow(
      `--plugin-dir ${repo}: ${join(folder, 'CANVAS_MANIFEST.json')}:4:3: Expected ',' or '}' after property value (not valid JSON) (the line: "\\"tags\\": {}")`,
    );
  });

  it('lists the three companion scopes for an unknown scope, with the nearest; a known Canvas scope is skipped as before', async () => {
    const folder = plugin('scopes', '', {
      manifest: {
        name: 'scopes',
        components: {
          applications: [
            { class: 'scopes.apps:Typo', name: 'Typo', scope: 'provider_companion_patient' },
            { class: 'scopes.apps:Desk', name: 'Desk', scope: 'global' },
            { class: 'scopes.apps:Main', name: 'Main', scope: 'provider_companion_global' },
          ],
        },
      },
    });
    const lines = await startLines(folder);
    expect(lines).toContain('scopes: skipped Typo (unknown scope "provider_companion_patient": did you mean provider_companion_patient_specific?; the companion\'s scopes are provider_companion_global, provider_companion_patient_specific, provider_companion_note_specific)');
    expect(lines).toContain('scopes: skipped Desk (scope global)');
  });

  it('warns for a launch key that names no application, with the nearest', async () => {
    const lines = await startLines(plugin('launches', "export const launch = { Mian: '/plugin-io/api/launches/app' };"));
    expect(lines).toContain('launches: the mock\'s launch key "Mian" names no companion application of its CANVAS_MANIFEST.json: did you mean Main?');
    expect(lines).toContain('launches: "Main" has no launch URL yet (add it to the mock\'s launch, keyed by its class or name, or use --app)');
  });
});
