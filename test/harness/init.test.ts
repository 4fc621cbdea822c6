/**
 * `canvas-companion init`: in an empty folder, `init my_plugin` writes a plugin in the published
 * layout (repo/my_plugin/CANVAS_MANIFEST.json) whose manifest the SDK's rules accept, whose Python
 * compiles and opens the URLs its mock gives the harness, whose own tests pass (run here with this
 * repository's vitest and the built kit), and whose apps work in the harness, started with no
 * flags from the repository, in Chromium at 390×844. Also init's choices (scopes, no live
 * updates), adding the app to a plugin that exists, and what it refuses.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initPlugin, parseArgs, startHarness, type Harness, type MockModule } from '../../src/harness/index.js';
import { haveChromium, launchChromium, openShellApp, openShellPage, ROOT } from '../support/browser.js';

const BIN = join(ROOT, 'bin', 'canvas-companion.mjs');
/** Maria Gonzalez's patient key: 32 lower-case hex digits, no dashes, as Canvas gives it. */
const MARIA = '3e1f7a528c4d4b6ea1f02d9c8b7a6e51';
const NOTE = '0c0ffee0-0000-4000-8000-000000000001';
const SHOTS = join(ROOT, 'test-results', 'harness');
const poll = { timeout: 10_000, interval: 100 };
/** The files `init my_plugin` writes, relative to the new repository. */
const TREE = [
  '.gitignore', 'README.md', 'my_plugin/CANVAS_MANIFEST.json', 'my_plugin/README.md', 'my_plugin/__init__.py', 'my_plugin/applications/__init__.py',
  'my_plugin/applications/companion.py', 'my_plugin/assets/companion.png', 'my_plugin/handlers/__init__.py', 'my_plugin/handlers/companion_api.py',
  'my_plugin/handlers/companion_live.py', 'my_plugin/harness.mock.mjs', 'my_plugin/static/canvas-companion.mjs', 'my_plugin/static/canvas-companion.umd.min.js',
  'my_plugin/static/companion.css', 'my_plugin/static/companion.mjs', 'my_plugin/templates/companion.html', 'package.json', 'test/companion.test.mjs', 'vitest.config.mjs',
];

const havePython = spawnSync('python3', ['--version']).status === 0;

/** Runs a command to completion; its output without colours. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => resolve({ code, out: out.replace(/\x1b\[[\d;]*m/g, '') }));
  });
}

/** Every file under `dir`, relative to it, sorted (node_modules and Python caches aside). */
function filesUnder(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.name !== 'node_modules' && entry.name !== '__pycache__')
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name), root) : [relative(root, join(dir, entry.name))]))
    .sort();
}

/**
 * What the SDK's CLI would say of a plugin folder's manifest, as far as its public source states
 * the rules: the JSON schema (canvas_cli/utils/validators/manifest_schema.py: required and
 * allowed keys, types, application fields and scopes, lengths) and `canvas validate-manifest`'s
 * layout check (a class starts with the plugin's name; its module is a .py file in the folder).
 * Plus: each class is defined in its module, and each icon is a file. Returns the problems.
 */
function checkManifest(pluginDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(pluginDir, 'CANVAS_MANIFEST.json'), 'utf8'));
  const problems: string[] = [];
  const allowed = (where: string, value: Record<string, unknown>, keys: string[]) => {
    for (const key of Object.keys(value)) if (!keys.includes(key)) problems.push(`${where}: ${key} is not allowed`);
  };
  const TOP = ['sdk_version', 'plugin_version', 'name', 'description', 'variables', 'secrets', 'origins', 'url_permissions', 'components', 'tags', 'references', 'license', 'diagram', 'readme', 'custom_data'];
  allowed('manifest', manifest, TOP);
  for (const key of ['sdk_version', 'plugin_version', 'name', 'description', 'license']) if (typeof manifest[key] !== 'string') problems.push(`${key} must be a string`);
  if (!['boolean', 'string'].includes(typeof manifest.readme)) problems.push('readme must be a boolean or a string');
  if (typeof manifest.tags !== 'object') problems.push('tags is required');
  allowed('tags', manifest.tags ?? {}, ['patient_sourcing_and_intake', 'interaction_modes_and_utilization', 'diagnostic_range_and_inputs', 'pricing_and_payments', 'care_team_composition', 'interventions_and_safety', 'content']);
  if (manifest.url_permissions && manifest.origins) problems.push('url_permissions and origins are mutually exclusive');
  const components = manifest.components ?? {};
  if (!Object.keys(components).length) problems.push('components needs at least one key');
  allowed('components', components, ['commands', 'protocols', 'handlers', 'content', 'effects', 'views', 'applications', 'questionnaires']);
  const SCOPES = ['patient_specific', 'global', 'provider_menu_item', 'portal_menu_item', 'provider_companion', 'provider_companion_global', 'provider_companion_patient_specific', 'provider_companion_note_specific', 'full_chart'];
  for (const [kind, entries] of Object.entries(components) as Array<[string, Array<Record<string, unknown>>]>) {
    entries.forEach((entry, i) => {
      const where = `components.${kind}[${i}]`;
      if (kind === 'applications') {
        allowed(where, entry, ['class', 'name', 'description', 'icon', 'scope', 'menu_position', 'menu_order', 'show_in_panel', 'panel_priority']);
        for (const key of ['class', 'name', 'description', 'icon', 'scope']) if (typeof entry[key] !== 'string') problems.push(`${where}.${key} is required`);
        if (String(entry.name).length > 32) problems.push(`${where}.name is over 32 characters`);
        if (String(entry.description).length > 256) problems.push(`${where}.description is over 256 characters`);
        if (!SCOPES.includes(String(entry.scope))) problems.push(`${where}.scope ${entry.scope} is not a scope`);
        if (!existsSync(join(pluginDir, String(entry.icon)))) problems.push(`${where}.icon ${entry.icon} is no file`);
      } else if (['protocols', 'handlers', 'content', 'effects', 'views'].includes(kind)) {
        allowed(where, entry, ['class', 'description', 'meta', 'data_access']);
        for (const key of ['class', 'description']) if (typeof entry[key] !== 'string') problems.push(`${where}.${key} is required`);
      }
      if (!['protocols', 'applications', 'handlers'].includes(kind)) return;
      // The layout check: "<name>.<module.path>:<Class>", the module a file inside the plugin folder.
      const [modulePath = '', className = ''] = String(entry.class).split(':');
      const [first, ...rest] = modulePath.split('.');
      if (first !== manifest.name) return void problems.push(`${where}.class ${entry.class} does not start with ${manifest.name}`);
      const file = join(pluginDir, ...rest) + '.py';
      if (!existsSync(file)) return void problems.push(`${where}.class ${entry.class}: no ${relative(pluginDir, file)}`);
      if (!new RegExp(`^class ${className}\\(`, 'm').test(readFileSync(file, 'utf8'))) problems.push(`${where}.class ${entry.class}: no class ${className} in ${relative(pluginDir, file)}`);
    });
  }
  return problems;
}

/** The routes a SimpleAPI handler file declares (`PREFIX` + `@api.get("/path")`), as mock route keys. */
function pythonRoutes(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const prefix = /^\s+PREFIX = "([^"]*)"/m.exec(source)?.[1] ?? '';
  return [...source.matchAll(/@api\.(get|post|put|patch|delete)\("([^"]*)"\)/g)].map(([, method, path]) => `${method!.toUpperCase()} ${prefix}${path}`).sort();
}

/** A stand-in for the few canvas_sdk modules the Application classes import, to call their on_open(). */
function writeSdkStub(dir: string): void {
  const files: Record<string, string> = {
    'canvas_sdk/__init__.py': '',
    'canvas_sdk/effects/__init__.py': 'class Effect(dict):\n    pass\n',
    'canvas_sdk/effects/launch_modal.py': [
      'from canvas_sdk.effects import Effect', '', '',
      'class LaunchModalEffect:', '    class TargetType:', '        DEFAULT_MODAL = "default_modal"', '',
      '    def __init__(self, url=None, content=None, target="default_modal", title="Untitled"):',
      '        assert (url is None) != (content is None), "url and content are mutually exclusive"',
      '        self.data = {"url": url, "target": target, "title": title}', '',
      '    def apply(self):', '        return Effect(type="LAUNCH_MODAL", data=self.data)', '',
    ].join('\n'),
    'canvas_sdk/handlers/__init__.py': '',
    'canvas_sdk/handlers/application.py': 'class Application:\n    def __init__(self, event):\n        self.event = event\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** What each Application class of `module` returns from on_open() in its scope's context, run by python3. */
function onOpen(repo: string, stub: string, module: string): Record<string, { type: string; data: { url: string; target: string; title: string } }> {
  const script = `
import importlib, json, sys
from types import SimpleNamespace
sys.path[:0] = [${JSON.stringify(stub)}, ${JSON.stringify(repo)}]
module = importlib.import_module(${JSON.stringify(module)})
contexts = {"GlobalApp": {}, "PatientApp": {"patient": {"id": "${MARIA}"}}, "NoteApp": {"patient": {"id": "${MARIA}"}, "note": {"id": "${NOTE}"}}}
print(json.dumps({name: getattr(module, name)(SimpleNamespace(context=context)).on_open() for name, context in contexts.items() if hasattr(module, name)}))
`;
  const result = spawnSync('python3', ['-B', '-c', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

/** The launch URLs the mock module gives the harness, by class name, for the same contexts. */
function mockLaunches(mock: MockModule): Record<string, string> {
  const context = { GlobalApp: { patient: null, note: null }, PatientApp: { patient: { id: MARIA }, note: null }, NoteApp: { patient: { id: MARIA }, note: { id: NOTE } } };
  return Object.fromEntries(
    Object.entries(mock.launch ?? {}).map(([key, launch]) => {
      const name = key.split(':').pop() as keyof typeof context;
      return [name, typeof launch === 'string' ? launch : launch({ ...context[name], staff: null as never }, null as never)];
    }),
  );
}

/** The environment for a nested vitest: none of the settings of the vitest that runs us. */
const cleanEnv = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(VITEST|TINYPOOL|npm_)/i.test(key)));

/** Lets a generated repository run its tests with this repository's vitest and happy-dom, and the package as built. */
function linkTools(repo: string): void {
  mkdirSync(join(repo, 'node_modules'), { recursive: true });
  for (const name of ['vitest', 'happy-dom']) symlinkSync(join(ROOT, 'node_modules', name), join(repo, 'node_modules', name), 'dir');
  symlinkSync(ROOT, join(repo, 'node_modules', 'canvas-companion'), 'dir');
}

describe('init my_plugin, in an empty folder', () => {
  const work = mkdtempSync(join(tmpdir(), 'init-'));
  const repo = join(work, 'my_plugin');
  const plugin = join(repo, 'my_plugin');
  let report = '';
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    // As an author runs it, but with this checkout as the package and no install from the registry.
    const { code, out } = await run(process.execPath, [BIN, 'init', 'my_plugin', '--no-install', '--no-build', '--package', `file:${ROOT}`], work);
    report = out;
    if (code !== 0) throw new Error(`init failed: ${out}`);
  });

  it('writes the published layout, the plugin in its own folder, and says what to run next', () => {
    expect(filesUnder(repo)).toEqual(TREE);
    expect(report).toContain('Created the plugin my_plugin in my_plugin/');
    expect(report).toMatch(/Next:\n {2}cd my_plugin\n {2}npm install\n {2}npx canvas-companion harness +the apps/);
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
    expect(pkg.devDependencies).toEqual({ 'canvas-companion': `file:${ROOT}`, 'happy-dom': '^21.0.4', vitest: '~4.1.12' });
    expect(pkg.scripts.test).toBe('vitest run');
    // The library as built, and only what a page loads.
    expect(readFileSync(join(plugin, 'static', 'canvas-companion.mjs'))).toEqual(readFileSync(join(ROOT, 'dist', 'canvas-companion.mjs')));
    // No template marker is left in any file.
    for (const file of TREE.filter((path) => !path.endsWith('.png'))) expect(readFileSync(join(repo, file), 'utf8'), file).not.toMatch(/\[\/?(live|chart|global|patient|note)\]/);
  });

  it('writes a manifest the SDK accepts: one application per companion scope, classes under the plugin name in files that exist', () => {
    expect(checkManifest(plugin)).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(plugin, 'CANVAS_MANIFEST.json'), 'utf8'));
    expect(manifest.components.applications.map((app: { scope: string }) => app.scope)).toEqual(['provider_companion_global', 'provider_companion_patient_specific', 'provider_companion_note_specific']);
    expect(manifest.components.handlers.map((handler: { class: string }) => handler.class)).toEqual([
      'my_plugin.handlers.companion_api:CompanionAPI', 'my_plugin.handlers.companion_live:CompanionSocket', 'my_plugin.handlers.companion_live:TaskBroadcast',
    ]);
  });

  it.runIf(havePython)('writes Python that compiles, whose Applications open the URLs the mock gives the harness', async () => {
    const python = TREE.filter((path) => path.endsWith('.py')).map((path) => join(repo, path));
    const compiled = spawnSync('python3', ['-m', 'py_compile', ...python], { encoding: 'utf8' });
    expect(compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);
    writeSdkStub(join(work, 'sdk'));
    const opened = onOpen(repo, join(work, 'sdk'), 'my_plugin.applications.companion');
    const mock = (await import(pathToFileURL(join(plugin, 'harness.mock.mjs')).href)).default as MockModule;
    expect(Object.fromEntries(Object.entries(opened).map(([name, effect]) => [name, effect.data.url]))).toEqual(mockLaunches(mock));
    expect(opened.NoteApp).toEqual({ type: 'LAUNCH_MODAL', data: { url: `/plugin-io/api/my_plugin/app/?patient_id=${MARIA}&note_id=${NOTE}`, target: 'default_modal', title: 'My plugin' } });
    // The SimpleAPI handler and the mock answer the same routes, and serve the same files.
    expect(pythonRoutes(join(plugin, 'handlers', 'companion_api.py'))).toEqual(Object.keys(mock.routes ?? {}).sort());
    const staticOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/["']((?:companion|canvas-companion)\.[\w.]+)["']/g)].map((match) => match[1]).sort();
    expect(staticOf(join(plugin, 'handlers', 'companion_api.py'))).toEqual(staticOf(join(plugin, 'harness.mock.mjs')));
    // Django renders the served files: none may hold what its template engine reads as a tag.
    for (const file of readdirSync(join(plugin, 'static'))) expect(readFileSync(join(plugin, 'static', file), 'utf8'), file).not.toMatch(/\{[{%#]/);
  });

  it("passes its own tests (npm test), here with this repository's vitest and the built kit", async () => {
    linkTools(repo);
    const { code, out } = await run(process.execPath, [join(repo, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], repo, cleanEnv());
    expect(out).toMatch(/Tests\s+\S*7 passed/);
    expect(code).toBe(0);
  });

  it("shows a failing assertion's diff, not a timeout", async () => {
    // The generated test with one expectation made wrong.
    const source = readFileSync(join(repo, 'test', 'companion.test.mjs'), 'utf8').replace("expect(titles()).toContain('Order labs')", "expect(titles()).toContain('Order labs, twice')");
    writeFileSync(join(repo, 'test', 'broken.test.mjs'), source);
    try {
      const { code, out } = await run(process.execPath, [join(repo, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/broken.test.mjs'], repo, cleanEnv());
      expect(code).toBe(1);
      expect(out).toMatch(/expected \[[^\]]*\] to include 'Order labs, twice'/);
      expect(out).not.toMatch(/timed out/i);
    } finally {
      rmSync(join(repo, 'test', 'broken.test.mjs'));
    }
  });

  it('is found by `npx canvas-companion harness` with no flags, from the repository', async () => {
    const child = spawn(process.execPath, [BIN, 'harness', '--no-build'], { cwd: repo, env: { ...process.env, PORT: '0' } });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    try {
      await expect.poll(() => out, poll).toMatch(/open http:\/\/127\.0\.0\.1:\d+\/companion\//);
      expect(out).toMatch(/my_plugin\s+my_plugin, 3 apps/);
      expect(out).not.toMatch(/demo_plugin|no mock module/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    }
  });

  describe.runIf(haveChromium())('its apps in the harness, in Chromium at 390×844', () => {
    let harness: Harness;
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    const lines: string[] = [];

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      const { pluginDirs } = await parseArgs([], {}, repo);
      harness = await startHarness({ port: 0, pluginDirs, effectDelay: 300, log: (line) => lines.push(line) });
      browser = await launchChromium();
    });
    afterAll(async () => {
      for (const context of contexts) await context.close().catch(() => {});
      await browser?.close();
      await harness?.close();
    });

    const titles = (frame: import('playwright-core').Frame) => frame.locator('.tasks li').allTextContents();
    // What the page lists: open tasks (TaskStatus.OPEN), in the platform's order (soonest due first).
    const open = (tasks: Array<{ title: string; status: string }>) => tasks.filter((task) => task.status === 'OPEN').map((task) => task.title);

    it('opens the global app: my open tasks, a task added through create and find, live updates, Close', async () => {
      const { page, errors } = await openShellPage(browser, harness.url, contexts);
      expect(await page.locator('.app-tile .app-name').allTextContents()).toEqual(['My plugin']);
      const frame = await openShellApp(page, 'my_plugin:global:my-plugin');
      const mine = open(harness.platform.tasks.list({ assignee_id: harness.platform.staff.id }));
      await expect.poll(() => titles(frame), poll).toEqual(mine);
      expect(frame.url()).toBe(`${harness.origin}/plugin-io/api/my_plugin/app/`);
      expect(await frame.locator('.page-header').isVisible()).toBe(true);
      await expect.poll(() => frame.locator('.live').getAttribute('data-status'), poll).toBe('open');

      await frame.locator('input[name=title]').fill('Order labs');
      await frame.locator('button[type=submit]').click();
      await expect.poll(() => frame.locator('[role=status]').textContent(), poll).toBe('Task added.');
      await expect.poll(() => titles(frame), poll).toContain('Order labs');
      // A task added elsewhere, assigned to me: the plugin broadcasts on my channel, the page refetches.
      harness.platform.tasks.add({ title: 'Added elsewhere', assignee_id: harness.platform.staff.id });
      await expect.poll(() => titles(frame), poll).toContain('Added elsewhere');
      await page.screenshot({ path: join(SHOTS, 'init-global.png') });

      await frame.locator('[name=close]').click();
      await expect.poll(() => page.locator('.sheet').count(), poll).toBe(0);
      expect(errors).toEqual([]);
    });

    it("opens the patient and note tabs: the patient's tasks, without the page's own header", async () => {
      const { page, errors } = await openShellPage(browser, `${harness.url}patient/${MARIA}/`, contexts);
      const theirs = () => open(harness.platform.tasks.list({ patient_id: MARIA }));
      const tab = await openShellApp(page, 'my_plugin:patient:my-plugin');
      await expect.poll(() => titles(tab), poll).toEqual(theirs());
      expect(tab.url()).toBe(`${harness.origin}/plugin-io/api/my_plugin/app/?patient_id=${MARIA}`);
      expect(await tab.locator('.page-header').isVisible()).toBe(false);
      await page.screenshot({ path: join(SHOTS, 'init-patient.png') });

      await page.goto(`${harness.url}patient/${MARIA}/?note=${NOTE}`);
      const note = await openShellApp(page, 'my_plugin:note:my-plugin');
      await expect.poll(() => titles(note), poll).toEqual(theirs());
      expect(note.url()).toBe(`${harness.origin}/plugin-io/api/my_plugin/app/?patient_id=${MARIA}&note_id=${NOTE}`);
      expect(errors).toEqual([]);
      expect(lines.filter((line) => /^5\d\d /.test(line))).toEqual([]);
    });
  });
});

describe('init: its choices, and a plugin that exists', () => {
  const work = mkdtempSync(join(tmpdir(), 'init-choices-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const quiet = { install: false, package: `file:${ROOT}`, log: () => {} };
  const read = (...path: string[]) => readFileSync(join(...path), 'utf8');

  it('writes only the scopes asked for, and no live updates with live: false', async () => {
    const result = await initPlugin({ ...quiet, dir: join(work, 'Chart Helper'), scopes: ['patient'], live: false });
    expect(result.name).toBe('chart_helper');
    const plugin = join(work, 'Chart Helper', 'chart_helper');
    expect(checkManifest(plugin)).toEqual([]);
    const manifest = JSON.parse(read(plugin, 'CANVAS_MANIFEST.json'));
    expect(manifest.components.applications).toEqual([expect.objectContaining({ class: 'chart_helper.applications.companion:PatientApp', name: 'Chart helper', scope: 'provider_companion_patient_specific' })]);
    expect(manifest.components.handlers.map((handler: { class: string }) => handler.class)).toEqual(['chart_helper.handlers.companion_api:CompanionAPI']);
    expect(existsSync(join(plugin, 'handlers', 'companion_live.py'))).toBe(false);
    expect(read(plugin, 'applications', 'companion.py')).not.toMatch(/GlobalApp|NoteApp/);
    for (const file of ['static/companion.mjs', 'harness.mock.mjs', 'handlers/companion_api.py']) {
      expect(read(plugin, file), file).not.toMatch(/subscribe|sockets|channel|\[\/?(live|chart|global|patient|note)\]/);
    }
    const mock = (await import(pathToFileURL(join(plugin, 'harness.mock.mjs')).href)).default as MockModule;
    expect(Object.keys(mock.launch ?? {})).toEqual(['chart_helper.applications.companion:PatientApp']);
    if (havePython) expect(spawnSync('python3', ['-B', '-m', 'py_compile', ...filesUnder(plugin).filter((file) => file.endsWith('.py')).map((file) => join(plugin, file))]).status).toBe(0);
  });

  it('writes valid Python and JavaScript, and a valid manifest, for every choice of scopes, with and without live updates', async () => {
    const subsets = [['global'], ['patient'], ['note'], ['global', 'patient'], ['global', 'note'], ['patient', 'note'], ['global', 'patient', 'note']] as const;
    const python: string[] = [];
    for (const scopes of subsets) {
      for (const live of [true, false]) {
        const name = `p_${scopes.join('_')}_${live ? 'live' : 'static'}`;
        await initPlugin({ ...quiet, dir: join(work, 'variants', name), scopes, live });
        const repo = join(work, 'variants', name);
        expect(checkManifest(join(repo, name)), name).toEqual([]);
        for (const file of filesUnder(repo)) {
          if (file.endsWith('.py')) python.push(join(repo, file));
          if (file.endsWith('.png')) continue;
          const text = read(repo, file);
          expect(text, `${name}/${file}`).not.toMatch(/^\s*(#|\/\/|\*|<!--)?\s*\[\/?(live|chart|global|patient|note)\]/m);
          if (!file.endsWith('.mjs')) continue;
          const { diagnostics = [] } = ts.transpileModule(text, { reportDiagnostics: true, compilerOptions: { allowJs: true }, fileName: file });
          expect(diagnostics.map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')), `${name}/${file}`).toEqual([]);
        }
      }
    }
    if (havePython) {
      const compiled = spawnSync('python3', ['-B', '-c', 'import ast, sys\nfor f in sys.argv[1:]: ast.parse(open(f).read(), f)', ...python], { encoding: 'utf8' });
      expect(compiled.stderr).toBe('');
    }
  });

  it('adds the app to a plugin in a subfolder, as published: its manifest and package.json get entries, its files stay', async () => {
    const repo = join(work, 'existing');
    const plugin = join(repo, 'scheduler');
    mkdirSync(join(plugin, 'handlers'), { recursive: true });
    const theirs = { class: 'scheduler.handlers.cron:Nightly', description: 'Their handler' };
    writeFileSync(join(plugin, 'CANVAS_MANIFEST.json'), JSON.stringify({ sdk_version: '0.1.4', plugin_version: '1.2.0', name: 'scheduler', description: 'Theirs', components: { handlers: [theirs] }, tags: {}, license: 'MIT', readme: true }));
    writeFileSync(join(plugin, 'handlers', 'cron.py'), 'class Nightly(object):\n    pass\n');
    writeFileSync(join(repo, 'README.md'), 'Their README\n');
    writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'scheduler-repo', scripts: { test: 'their tests' } }));

    const result = await initPlugin({ ...quiet, dir: repo });
    expect([result.added, result.name, result.pluginDir]).toEqual([true, 'scheduler', plugin]);
    expect(result.kept).toEqual(['README.md']);
    expect(read(repo, 'README.md')).toBe('Their README\n');
    const manifest = JSON.parse(read(plugin, 'CANVAS_MANIFEST.json'));
    expect(manifest.plugin_version).toBe('1.2.0');
    expect(manifest.components.handlers[0]).toEqual(theirs);
    expect(manifest.components.applications).toHaveLength(3);
    expect(checkManifest(plugin)).toEqual([]);
    const pkg = JSON.parse(read(repo, 'package.json'));
    expect(pkg.scripts).toEqual({ test: 'their tests', harness: 'canvas-companion harness' });
    expect(pkg.devDependencies['canvas-companion']).toBe(`file:${ROOT}`);

    // Again: every file init would write is there now, so it stops before writing anything.
    await expect(initPlugin({ ...quiet, dir: repo })).rejects.toThrow(/scheduler\/applications\/companion\.py, .* exist already; init writes over none of your files/);
  });

  it('adds the app to a plugin whose manifest is in the folder given, its tests importing from there', async () => {
    const flat = join(work, 'flat');
    mkdirSync(flat);
    writeFileSync(join(flat, 'CANVAS_MANIFEST.json'), JSON.stringify({ sdk_version: '0.1.4', plugin_version: '0.0.1', name: 'flat_plugin', description: 'Flat', components: {}, tags: {}, license: '', readme: false }));
    const result = await initPlugin({ ...quiet, dir: flat, live: false });
    expect([result.added, result.pluginDir]).toEqual([true, flat]);
    expect(checkManifest(flat)).toEqual([]);
    const test = read(flat, 'test', 'companion.test.mjs');
    const imported = [...test.matchAll(/from '(\.\.\/[^']+)'/g)].map((match) => match[1]!);
    expect(imported).toEqual(['../harness.mock.mjs', '../static/companion.mjs']);
    for (const path of imported) expect(existsSync(join(flat, 'test', path)), path).toBe(true);
  });

  it('refuses names that cannot be a Python package, and a folder of several plugins without --name', async () => {
    await expect(initPlugin({ ...quiet, dir: join(work, '2fast') })).rejects.toThrow(/the folder name gives "2fast": a plugin name is lower-case letters.*\(give --name NAME\)/);
    await expect(initPlugin({ ...quiet, dir: join(work, 'x'), name: 'import' })).rejects.toThrow(/--name import: import is a Python keyword/);
    await expect(initPlugin({ ...quiet, dir: join(work, 'x'), name: 'My-Plugin' })).rejects.toThrow(/--name My-Plugin: a plugin name is lower-case/);
    const several = join(work, 'several');
    for (const name of ['one', 'two']) {
      mkdirSync(join(several, name), { recursive: true });
      writeFileSync(join(several, name, 'CANVAS_MANIFEST.json'), JSON.stringify({ name, components: {} }));
    }
    await expect(initPlugin({ ...quiet, dir: several })).rejects.toThrow(/several plugins inside \(one, two\): give the one to add the app to with --name NAME/);
    const chosen = await initPlugin({ ...quiet, dir: several, name: 'two', scopes: ['global'] });
    expect(chosen.pluginDir).toBe(join(several, 'two'));
    expect(existsSync(join(several, 'one', 'applications'))).toBe(false);
    expect(existsSync(join(work, 'x'))).toBe(false);
  });
});
