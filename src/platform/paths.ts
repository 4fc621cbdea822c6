/**
 * Path and channel patterns with `<name>` parameters, compiled as Canvas's SimpleAPI compiles
 * route paths: the whole string must match, and each parameter is a named group.
 * @module
 */
import { fail } from './values.js';

/**
 * Compiles `"/app/<id>/status"` into a full-match regex with a named group per parameter.
 * @param path - The pattern: literal text and `<name>` parameters.
 * @param where - What the pattern is, for the error message.
 * @param segment - What one parameter matches. @default '[^/]+' (one path segment)
 * @throws TypeError when a parameter appears twice.
 */
export function compilePattern(path: string, where: string, segment = '[^/]+'): RegExp {
  const names: string[] = [];
  const source = path.split(/(<\w+>)/).map((part) => {
    const name = /^<(\w+)>$/.exec(part)?.[1];
    if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (names.includes(name)) fail(`${where}: parameter <${name}> appears twice`);
    names.push(name);
    return `(?<${name}>${segment})`;
  }).join('');
  return new RegExp(`^${source}$`);
}
