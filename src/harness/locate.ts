/**
 * Where a mistake is: the file, line and column of a manifest's JSON error or a mock module that
 * does not load, and the line itself, for messages an author can act on without a debugger.
 * @module
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { messageOf, nameOf, stackOf } from './errors.js';

/** A position in a file (1-based), and the text of that line. */
export interface Position {
  line: number;
  column: number;
  /** The line's text, trimmed and cut to 120 characters. */
  text: string;
}

/** The line of `source` at `line` (1-based), trimmed and cut to 120 characters. */
function lineText(source: string, line: number): string {
  const text = (source.split(/\r?\n/)[line - 1] ?? '').trim();
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The line and column of offset `at` in `source`. */
export function positionOf(source: string, at: number): Position {
  const before = source.slice(0, Math.max(0, Math.min(at, source.length)));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return { line, column, text: lineText(source, line) };
}

/** `file:line:column` and ` (the line: "…")` around a message. */
export function at(file: string, position: Position | null, message: string): string {
  if (!position) return `${file}: ${message}`;
  return `${file}:${position.line}:${position.column}: ${message}${position.text ? ` (the line: ${JSON.stringify(position.text)})` : ''}`;
}

/** How deep {@link jsonErrorOffset} follows nesting before it gives up on finding the position. */
const MAX_JSON_DEPTH = 1_000;

/**
 * The offset of the first JSON syntax error in `text` (its length for an unexpected end), -1 when
 * it is valid JSON, or null when it is nested too deep to tell. Engines word their errors
 * differently, and not all of them give a position.
 */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (char: string) => {
    space();
    if (text[i] !== char) fail();
    i++;
  };
  const string = () => {
    expect('"');
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (c === '"') return void i++;
      if (c < ' ') fail();
      if (c === '\\') {
        i++;
        if (text[i] === 'u' ? !/^[\da-fA-F]{4}$/.test(text.slice(i + 1, i + 5)) : !'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
        if (text[i] === 'u') i += 4;
      }
    }
    fail();
  };
  /** A list of items between `open` and `close`, separated by commas. */
  const list = (close: string, item: () => void) => {
    i++;
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      space();
      if (text[i] === close) return void i++;
      if (text[i] !== ',') fail();
      i++;
    }
  };
  const value = (depth: number): void => {
    if (depth > MAX_JSON_DEPTH) throw null;
    space();
    const c = text[i];
    const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
    if (c === '{') {
      list('}', () => {
        string();
        expect(':');
        value(depth + 1);
      });
    } else if (c === '[') list(']', () => value(depth + 1));
    else if (c === '"') string();
    else if (word) i += word.length;
    else {
      const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!match) fail();
      i += match![0].length;
    }
  };
  try {
    value(0);
    space();
    return i < text.length ? i : -1;
  } catch (offset) {
    return offset as number | null;
  }
}

/**
 * A JSON file's parse error as `file:line:column: message (the line: "…")`.
 * @param error - What JSON.parse threw (its message, without the engine's "at position N").
 */
export function jsonError(file: string, source: string, error: unknown): string {
  const offset = jsonErrorOffset(source) ?? -1;
  const message = messageOf(error).replace(/\s*(?:in JSON )?at position \d+(?: \(line \d+ column \d+\))?/, '').replace(/, "[\s\S]*" is not valid JSON$/, '');
  return at(file, offset < 0 ? null : positionOf(source, offset), `${message} (not valid JSON)`);
}

/** Runs `node --check file`: the syntax error's position and message, or null when it parses. */
function checkSyntax(file: string): Promise<{ position: Position; message: string } | null> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--check', file], { timeout: 15_000, windowsHide: true }, (error, _stdout, stderr) => {
      if (!error) return resolve(null);
      // "<file>:<line>\n<the line>\n<spaces>^^^\n\nSyntaxError: <message>"
      const [first = '', source = '', caret = ''] = String(stderr).split('\n');
      const line = Number(/:(\d+)$/.exec(first)?.[1]);
      const message = /^(\w*Error: .*)$/m.exec(String(stderr))?.[1];
      if (!line || !message) return resolve(null);
      resolve({ position: { line, column: Math.max(1, caret.indexOf('^') + 1), text: lineText(source, 1) }, message });
    });
  });
}

/** The position in `file` that a load error's stack names (`at file:///x.mjs:4:7`, or a `file:///x.mjs:4` header with a caret). */
function stackPosition(file: string, error: unknown, source: string): Position | null {
  const frames = stackOf(error).split('\n');
  for (const [i, frame] of frames.entries()) {
    const match = /(file:\/\/\S+?|\/\S+?):(\d+)(?::(\d+))?\)?$/.exec(frame.trim());
    if (!match?.[1]) continue;
    let path = match[1];
    try {
      if (path.startsWith('file:')) path = fileURLToPath(path);
    } catch {
      continue;
    }
    if (path !== file) continue;
    const line = Number(match[2]);
    const caret = match[3] ? -1 : (frames[i + 2] ?? '').indexOf('^');
    return { line, column: match[3] ? Number(match[3]) : Math.max(1, caret + 1), text: lineText(source, line) };
  }
  return null;
}

/** Where a module that cannot be found is imported in `source` (`from 'x'`, `import('x')`). */
function importPosition(error: unknown, source: string): Position | null {
  const specifier = /(?:Cannot find (?:package|module) |Failed to (?:load|resolve) (?:url|import) )['"]?([^'"\s]+)['"]?/.exec(messageOf(error))?.[1];
  if (!specifier) return null;
  for (const quote of ["'", '"', '`']) {
    const found = source.indexOf(`${quote}${specifier}${quote}`);
    if (found >= 0) return positionOf(source, found);
  }
  const path = specifier.startsWith('/') || specifier.startsWith('file:') ? specifier.split('/').pop() : null;
  const found = path ? source.indexOf(path) : -1;
  return found >= 0 ? positionOf(source, found) : null;
}

/**
 * Why a mock module did not load, and where: a syntax error is located with `node --check`
 * (dynamic import errors carry no position), an error thrown at load time from its stack, a
 * missing import from the source.
 */
export async function loadError(file: string, error: unknown): Promise<{ position: Position | null; message: string }> {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return { position: null, message: messageOf(error) };
  }
  const syntax = await checkSyntax(file);
  if (syntax) return syntax;
  const name = nameOf(error);
  const text = messageOf(error);
  const message = name && name !== 'Error' && !text.startsWith(name) ? `${name}: ${text}` : text;
  return { position: stackPosition(file, error, source) ?? importPosition(error, source), message };
}
