/**
 * The CANVAS_MANIFEST.json that `init` writes, or the entries it adds to a plugin's own manifest:
 * valid by the SDK's schema (canvas_cli/utils/validators/manifest_schema.py) and its layout check
 * (every class starts with the plugin's name; its module is a file in the plugin folder).
 * @module
 */
import { OptionError } from '../errors.js';
import type { Scope } from '../plugin-dir.js';

/** The manifest scope of each companion scope. */
export const MANIFEST_SCOPES: Readonly<Record<Scope, string>> = Object.freeze({
  global: 'provider_companion_global',
  patient: 'provider_companion_patient_specific',
  note: 'provider_companion_note_specific',
});

/** Each scope's Application class in applications/companion.py, and what its app shows. */
const APPLICATIONS: Readonly<Record<Scope, { className: string; description: string }>> = {
  global: { className: 'GlobalApp', description: 'My open tasks' },
  patient: { className: 'PatientApp', description: "This patient's open tasks" },
  note: { className: 'NoteApp', description: "Open tasks of this note's patient" },
};

/** The schema's limit on an application's name. */
const NAME_LENGTH = 32;

/** A manifest entry: an application or a handler. */
export type ManifestEntry = Record<string, string>;

/** What the companion app adds to a manifest's components. */
export interface CompanionComponents {
  applications: ManifestEntry[];
  handlers: ManifestEntry[];
}

/** The applications (one per scope, in the order given) and handlers of the companion app of plugin `name`. */
export function companionComponents(name: string, title: string, scopes: readonly Scope[], live: boolean): CompanionComponents {
  const applications = scopes.map((scope) => ({
    class: `${name}.applications.companion:${APPLICATIONS[scope].className}`,
    name: title.slice(0, NAME_LENGTH),
    description: APPLICATIONS[scope].description,
    scope: MANIFEST_SCOPES[scope],
    icon: 'assets/companion.png',
  }));
  const handlers = [
    { class: `${name}.handlers.companion_api:CompanionAPI`, description: 'The companion page, its data (open tasks), adding a task, and its files' },
    ...(live
      ? [
          { class: `${name}.handlers.companion_live:CompanionSocket`, description: 'Who may listen on the live channels staff-<id> and patient-<id>' },
          { class: `${name}.handlers.companion_live:TaskBroadcast`, description: 'Tells the pages showing a task that it changed' },
        ]
      : []),
  ];
  return { applications, handlers };
}

/** A new plugin's manifest: the schema's required fields, and the companion app's components. */
export function newManifest(name: string, title: string, components: CompanionComponents): Record<string, unknown> {
  return {
    sdk_version: '0.1.4',
    plugin_version: '0.1.0',
    name,
    description: `${title}: a Provider Companion app`,
    components: { ...components, commands: [], content: [], effects: [], views: [] },
    tags: {},
    references: [],
    license: '',
    diagram: false,
    readme: './README.md',
  };
}

/**
 * A plugin's own manifest with the companion app's components added: entries whose class it
 * already lists are left as they are, everything else is kept in its order.
 * @param where - The manifest's path, for error messages.
 * @throws {@link OptionError} for a manifest without a components object, or with a component that is not an array.
 */
export function mergeManifest(manifest: unknown, components: CompanionComponents, where: string): Record<string, unknown> {
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) throw new OptionError(`${where}: not a JSON object`);
  const merged = { ...(manifest as Record<string, unknown>) };
  const given = merged.components ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) throw new OptionError(`${where}: "components" must be an object`);
  const into: Record<string, unknown> = { ...given };
  for (const [key, entries] of Object.entries(components) as Array<[keyof CompanionComponents, ManifestEntry[]]>) {
    const list = into[key] ?? [];
    if (!Array.isArray(list)) throw new OptionError(`${where}: components.${key} must be an array`);
    const known = new Set(list.map((entry: { class?: unknown } | null) => entry?.class));
    into[key] = [...list, ...entries.filter((entry) => !known.has(entry.class))];
  }
  merged.components = into;
  return merged;
}
