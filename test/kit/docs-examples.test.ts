// The code blocks of README.md and docs/*.md that are marked `runnable` (```js runnable), run as
// an author would run them, so that none goes stale:
// - a block with `file=PATH` is a copy of that file of the repo, which the tests run: it must
//   equal the file (the file's own test proves it works);
// - any other block is an ES module that imports `canvas-companion` and `canvas-companion/testing`
//   (the built files) and throws if what it shows does not hold; it runs here, once under
//   happy-dom and once under jsdom.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resetState } from 'canvas-companion/testing';

const ROOT = join(import.meta.dirname, '..', '..');
/** Where the blocks are written to be imported: inside the project, so that vite transforms them. */
const OUT = join(ROOT, 'test', '.examples', process.env.VITEST_POOL_ID ?? '0');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const BLOCK = /^```(js|ts|sh|json|html|py) runnable(?: file=(\S+))?\n([^]*?)^```$/gm;
const EXTENSIONS: Record<string, string> = { js: 'mjs', ts: 'ts' };

interface Example {
  doc: string;
  line: number;
  language: string;
  file: string | undefined;
  code: string;
}

function examples(): Example[] {
  return DOCS.flatMap((doc) => {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    return [...text.matchAll(BLOCK)].map(({ 1: language = '', 2: file, 3: code = '', index }) => ({
      doc,
      line: text.slice(0, index).split('\n').length,
      language,
      file,
      code,
    }));
  });
}

const EXAMPLES = examples();

afterEach(() => resetState());

describe('runnable code blocks of the docs', () => {
  it('finds some', () => {
    expect(EXAMPLES.length).toBeGreaterThan(0);
  });

  for (const example of EXAMPLES.filter(({ file }) => file != null)) {
    it(`${example.doc}:${example.line} is ${example.file}, as the repo runs it`, () => {
      expect(example.code.trim()).toBe(readFileSync(join(ROOT, example.file!), 'utf8').trim());
    });
  }

  for (const example of EXAMPLES.filter(({ file }) => file == null)) {
    it(`${example.doc}:${example.line} runs`, async () => {
      const extension = EXTENSIONS[example.language];
      if (extension == null) throw new Error(`a runnable ${example.language} block needs file=PATH (only js and ts blocks run here)`);
      mkdirSync(OUT, { recursive: true });
      const path = join(OUT, `${example.doc.replace(/\W/g, '_')}_${example.line}.${extension}`);
      writeFileSync(path, example.code);
      try {
        await import(/* @vite-ignore */ path);
      } finally {
        rmSync(path, { force: true });
      }
    });
  }
});
