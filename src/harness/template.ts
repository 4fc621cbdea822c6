/**
 * The part of Django's template language plugin pages use most: `{{ name }}` and `{{ a.b }}`,
 * filled from a route's `context` and HTML-escaped (autoescape is on in Canvas's engine).
 * @module
 */
import { escapeHTML } from './http.js';

/** `{{ name }}` or `{{ name.key.key }}`, spaces allowed inside the braces. */
const VARIABLE = /\{\{\s*([A-Za-z_]\w*(?:\.\w+)*)\s*\}\}/g;

/** A page with its variables filled in, and the variables that had no value. */
export interface Rendered {
  html: string;
  /** As written (`patient_id`, `patient.name`), each once, in order. */
  missing: string[];
}

/** The value at a dotted path (`patient.name`) of the context: own keys only, as Django reads a dict. */
function lookUp(context: Record<string, unknown>, path: string): { found: boolean; value?: unknown } {
  let value: unknown = context;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return { found: false };
    value = (value as Record<string, unknown>)[key];
  }
  return { found: true, value };
}

/** How Django prints the Python value a JS value stands for: `None`, `True`, `False`, else as JS does. */
const PYTHON_TEXT = new Map<unknown, string>([[null, 'None'], [true, 'True'], [false, 'False']]);

/**
 * Fills `{{ name }}` placeholders from `context`, HTML-escaped. A variable with no value (absent,
 * or `undefined`) renders "" as Django does; the caller logs {@link Rendered.missing}. `null`,
 * `true` and `false` render as Python's `None`, `True` and `False`.
 */
export function render(template: string, context: Record<string, unknown>): Rendered {
  const missing: string[] = [];
  const html = template.replace(VARIABLE, (_whole, path: string) => {
    const { found, value } = lookUp(context, path);
    if (!found || value === undefined) {
      if (!missing.includes(path)) missing.push(path);
      return '';
    }
    return escapeHTML(PYTHON_TEXT.get(value) ?? value);
  });
  return { html, missing };
}
