/**
 * Help for careless callers, in development only: an option key a function does not know warns
 * once, with the nearest key it does know (`timout` → `timeout`), and an allowed-origins entry
 * that is not an origin is told which origin it should be. Typed code gets the first from the
 * compiler; a script-tag page gets it here.
 *
 * Every call is guarded where it is made, by the expression bundlers replace in a production
 * build, written out in full (a bundler replaces the expression itself, not a variable holding
 * it): `typeof process === 'object' && process.env.NODE_ENV !== 'production'`. So:
 * - a bundler's production build of the ESM file turns the guard into `false` and leaves out the
 *   calls and this module; its development build keeps them, and they warn where a `process`
 *   exists (tests under Node), not in a browser, where bundlers provide none;
 * - the ESM file loaded as it is by a browser (no `process`) never warns;
 * - the build makes the guard `true` in the `.umd.js` file and `false` in the `.umd.min.js` file,
 *   whose minifier then leaves out the calls and this module (rollup.config.mjs).
 * @module
 * @internal
 */
import { warn } from './report.js';

/** The messages {@link warnOnce} gave, in this copy of the library; made by the first (importing does nothing). */
let warned: Set<string> | undefined;

/** Warns like `warn`, but never twice with the same message: a mistake repeated in a loop is one line. */
export function warnOnce(message: string): void {
  warned ??= new Set();
  if (warned.has(message)) return;
  warned.add(message);
  warn(message);
}

/** How many single-character edits turn `from` into `to` (Levenshtein distance). */
function editDistance(from: string, to: string): number {
  // One row of the table at a time: row[j] is the distance from the first i characters of `from` to the first j of `to`.
  let previous = Array.from({ length: to.length + 1 }, (_, j) => j);
  for (let i = 1; i <= from.length; i++) {
    const row = [i];
    for (let j = 1; j <= to.length; j++) {
      const substitution = previous[j - 1]! + (from[i - 1] === to[j - 1] ? 0 : 1);
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, substitution);
    }
    previous = row;
  }
  return previous[to.length]!;
}

/** The known key nearest to `key`, ignoring case; the first of equals. */
function nearestKey(key: string, known: readonly string[]): string {
  const distance = (candidate: string) => editDistance(key.toLowerCase(), candidate.toLowerCase());
  return known.reduce((best, candidate) => (distance(candidate) < distance(best) ? candidate : best));
}

/**
 * Warns once for each key of `options` that is not in `known`, naming the nearest known key.
 * Development only: call it behind the guard described above.
 *
 * @param caller - The function whose options these are, e.g. `'closeModal'`.
 */
export function warnUnknownOptions(caller: string, options: unknown, known: readonly string[]): void {
  if (options == null || typeof options !== 'object') return;
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) warnOnce(`${caller}(): unknown option "${key}" (did you mean "${nearestKey(key, known)}"?)`);
  }
}

/**
 * The origin an allowed-origins entry that is not one was meant to be, as ` (write <origin>)`:
 * the entry without its trailing slash or path, in lower case. `''` when it names no origin (no
 * scheme, a wildcard, an opaque origin such as `file:`'s).
 */
export function intendedOrigin(entry: unknown): string {
  try {
    const { origin } = new URL(entry as string);
    return origin !== 'null' && !origin.includes('*') ? ` (write ${origin})` : '';
  } catch {
    return '';
  }
}
