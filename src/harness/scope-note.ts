/**
 * What the harness says about a manifest application it does not show: a Canvas scope that is not
 * the companion's, or a scope Canvas does not know (with the nearest one and the three valid ones).
 * @module
 */
// The platform's nearest(), not options.ts's: options.ts imports plugin-dir.ts, which imports this file.
import { nearest } from '../platform/values.js';

/** The companion's scopes, as CANVAS_MANIFEST.json writes them. */
export const COMPANION_SCOPE_NAMES: readonly string[] = Object.freeze(['provider_companion_global', 'provider_companion_patient_specific', 'provider_companion_note_specific']);

/** Every application scope Canvas's manifest schema takes (`canvas_cli/utils/validators/manifest_schema.py`). */
const CANVAS_SCOPES: readonly string[] = Object.freeze([
  'patient_specific', 'global', 'provider_menu_item', 'portal_menu_item', 'provider_companion', ...COMPANION_SCOPE_NAMES, 'full_chart',
]);

/**
 * Why an application with this scope is skipped: `scope global` for a Canvas scope the companion
 * does not show; for a scope Canvas does not know, that, the nearest scope, and the valid ones.
 */
export function scopeNote(scope: unknown): string {
  if (typeof scope === 'string' && CANVAS_SCOPES.includes(scope)) return `scope ${scope}`;
  // A scope cut short (`provider_companion_patient`) is nearest to the one it begins, whatever the edit distance says.
  const begun = typeof scope === 'string' && scope.length > 3 ? CANVAS_SCOPES.find((known) => known.startsWith(scope)) : undefined;
  const near = begun ?? (typeof scope === 'string' ? nearest(scope, CANVAS_SCOPES) : null);
  return `unknown scope ${JSON.stringify(scope)}${near ? `: did you mean ${near}?` : ''}; the companion's scopes are ${COMPANION_SCOPE_NAMES.join(', ')}`;
}
