/**
 * The files `init` writes, read from its template folder: a plugin named `my_plugin` there,
 * renamed, with the sections of the features left out removed. The template's files are valid as
 * they are (section markers are comments), so the repository's own checks read them too.
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What a template section is kept for: an application scope, any chart scope, or live updates. */
export type Feature = 'global' | 'patient' | 'note' | 'chart' | 'live';

/** The template's plugin name and title, replaced by the new plugin's. */
export const TEMPLATE_NAME = 'my_plugin';
const TEMPLATE_TITLE = 'My plugin';

// The source tree keeps the template next to this file (the tests import it from src/); the build
// bundles this file into dist/harness/harness.mjs and copies the template to dist/harness/init/template/.
const here = import.meta.dirname;
/** The template folder. */
export const TEMPLATE_DIR = [join(here, 'template'), join(here, 'init', 'template')].find((dir) => existsSync(dir)) ?? join(here, 'template');

/** Files whose text is rendered; anything else (the icon) is copied as bytes. */
const TEXT = /(\.(py|mjs|js|json|html|css|md)|(^|\/)gitignore)$/;
/** A whole line that opens or closes a section, in the comment syntax of its file: `# [live]`, `// [/live]`, `<!-- [live] -->`, ` * [live]`. */
const LINE_MARKER = /^\s*(?:#|\/\/|\*|\/\*|<!--)?\s*\[(\/?)([a-z]+)\]\s*(?:\*\/|-->)?\s*$/;
/** A section within one line of Markdown or HTML. */
const INLINE_SECTION = /<!-- \[([a-z]+)\] -->(.*?)<!-- \[\/\1\] -->/g;
/** Files written only with a feature. */
const FILE_FEATURES: Readonly<Record<string, Feature>> = { [`${TEMPLATE_NAME}/handlers/companion_live.py`]: 'live' };
/** Kept without their dot in the template: npm leaves a .gitignore out of a package. */
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

/**
 * Keeps the sections of `features` and drops the others, and every marker line.
 * @throws Error for markers that do not pair up (a mistake in the template).
 */
export function renderSections(text: string, features: ReadonlySet<Feature>, file = 'template'): string {
  const open: string[] = [];
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    const marker = LINE_MARKER.exec(line);
    if (marker) {
      const [, closing, name = ''] = marker;
      if (!closing) open.push(name);
      else if (open.pop() !== name) throw new Error(`${file}: [/${name}] closes no [${name}]`);
      continue;
    }
    if (open.every((name) => features.has(name as Feature))) kept.push(line.replace(INLINE_SECTION, (_, name: string, body: string) => (features.has(name as Feature) ? body : '')));
  }
  if (open.length) throw new Error(`${file}: [${open.at(-1)}] is never closed`);
  return kept.join('\n');
}

/** What {@link readTemplate} makes of the template. */
export interface TemplateOptions {
  /** The plugin's name (its Python package and folder). */
  name: string;
  /** Its title (page title, application names). */
  title: string;
  features: ReadonlySet<Feature>;
  /** Words to replace in text files first (before the name), e.g. where the package comes from. */
  words?: Readonly<Record<string, string>>;
}

/** Every file under `dir` (Python caches aside), relative to `root`, `/`-separated, sorted. */
function filesUnder(dir: string, root: string = dir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.name !== '__pycache__')
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name), root) : [relative(root, join(dir, entry.name)).split('\\').join('/')]))
    .sort();
}

/**
 * The template rendered for one plugin: path (relative to the repository, `/`-separated, with the
 * plugin folder named after the plugin) → text or bytes.
 */
export function readTemplate({ name, title, features, words = {} }: TemplateOptions, dir: string = TEMPLATE_DIR): Map<string, string | Buffer> {
  const replacements: Array<[string, string]> = [...Object.entries(words), [TEMPLATE_NAME, name], [TEMPLATE_TITLE, title]];
  const files = new Map<string, string | Buffer>();
  for (const path of filesUnder(dir)) {
    const feature = FILE_FEATURES[path];
    if (feature && !features.has(feature)) continue;
    const target = (RENAMED[path] ?? path).replaceAll(TEMPLATE_NAME, name);
    const data = readFileSync(join(dir, path));
    if (!TEXT.test(path)) {
      files.set(target, data);
      continue;
    }
    const text = renderSections(data.toString('utf8'), features, path);
    files.set(target, replacements.reduce((result, [from, to]) => result.replaceAll(from, to), text));
  }
  return files;
}
