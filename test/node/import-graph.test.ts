// The layout's rules, checked on the source: which folder may import which (docs/architecture.md),
// no circle anywhere, nothing outside demo/ importing from demo/, and no hand-written declaration
// file describing this repo's own code.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every file under `folder` (relative to the root) whose name matches `pattern`. */
function filesUnder(folder: string, pattern: RegExp): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => pattern.test(name) && !name.includes('node_modules'))
    .map((name) => join(folder, name));
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

/** The repo files that `file` imports (relative specifiers only), root-relative, `.js` read as `.ts`. */
function localImports(file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8');
  return [...source.matchAll(IMPORT)]
    .map((match) => match[1]!)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\.js$/, '.ts'));
}

const SOURCES = [...filesUnder('src', /\.ts$/), ...filesUnder('bin', /\.m?js$/)];
const GRAPH = new Map(SOURCES.map((file) => [file, localImports(file)]));

/** The folder a file belongs to, by the layout: the library, the platform, the kit, the harness, the bin. */
function part(file: string): string {
  if (file.startsWith('src/platform/')) return 'platform';
  if (file.startsWith('src/testing/')) return 'testing';
  if (file.startsWith('src/harness/')) return 'harness';
  if (file.startsWith('src/')) return 'library';
  if (file.startsWith('bin/')) return 'bin';
  if (file.startsWith('dist/')) return 'dist';
  return file.split('/')[0]!;
}

/** Who may import whom: imports flow one way, from the tools down to the library and the platform. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  library: ['library'],
  platform: ['platform'],
  testing: ['testing', 'library', 'platform'],
  harness: ['harness', 'platform'],
  bin: ['dist'],
};

describe('the import graph', () => {
  it('finds the source files and their imports', () => {
    // Guards the checks below against passing on an empty graph.
    expect(GRAPH.get('src/index.ts')).toContain('src/channel.ts');
    expect([...GRAPH.keys()].filter((file) => part(file) === 'platform').length).toBeGreaterThan(0);
    expect([...GRAPH.keys()].filter((file) => part(file) === 'harness').length).toBeGreaterThan(0);
  });

  it('imports flow one way between the library, the platform, the test kit, the harness and the bin', () => {
    const wrong = [...GRAPH].flatMap(([file, imports]) =>
      imports.filter((target) => !MAY_IMPORT[part(file)]!.includes(part(target))).map((target) => `${file} → ${target}`),
    );
    expect(wrong).toEqual([]);
  });

  it('has no circle', () => {
    const circles: string[] = [];
    const done = new Set<string>();
    const visit = (file: string, path: string[]) => {
      if (path.includes(file)) return circles.push([...path.slice(path.indexOf(file)), file].join(' → '));
      if (done.has(file)) return;
      for (const target of GRAPH.get(file) ?? []) visit(target, [...path, file]);
      done.add(file);
    };
    for (const file of GRAPH.keys()) visit(file, []);
    expect(circles).toEqual([]);
  });

  it('nothing outside demo/ imports from demo/', () => {
    const files = [...SOURCES, ...filesUnder('test', /\.(m?ts|m?js|cjs)$/), ...filesUnder('scripts', /\.m?js$/), ...filesUnder('bench', /\.m?js$/)];
    const fromDemo = files.flatMap((file) => localImports(file).filter((target) => target.startsWith('demo/')).map((target) => `${file} → ${target}`));
    expect(fromDemo).toEqual([]);
  });

  it('no hand-written declaration file describes code of this repo', () => {
    const declarations = ['src', 'bin', 'demo', 'scripts', 'test', 'bench'].flatMap((folder) => filesUnder(folder, /\.d\.m?ts$/));
    // The one there is types reconnecting-websocket's class as the build trims it: third-party code.
    expect(declarations).toEqual(['src/bundled-socket.d.ts']);
  });
});
