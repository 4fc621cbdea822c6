/**
 * A plugin's socket rules: the WebSocketAPI's `authenticate()` per channel pattern, from its mock
 * module, deciding each upgrade.
 * @module
 */
import { shown } from './fields.js';
import { compilePattern } from './paths.js';
import type { PluginBackend, PluginPlatform, SocketRequest, SocketRule } from './types.js';
import { CHANNEL, fail, messageOf } from './values.js';

/** A socket rule, compiled. */
export interface CompiledRule {
  /** As written: `"staff-<id>"`, or `"*"`. */
  key: string;
  /** The channel, matched whole. */
  pattern: RegExp;
  /** The module's function. */
  rule: SocketRule;
}

/** An upgrade, as a transport asks about it. */
type Upgrade = Parameters<PluginBackend['authorize']>[0];
/** The decision on an upgrade. */
type Decision = Awaited<ReturnType<PluginBackend['authorize']>>;

/** The key of the rule for any channel (tried after every pattern); its params hold just `channel`. */
const ANY = '*';

/**
 * Reads a mock module's socket rules: `{ "staff-<id>": (request, platform) => boolean }`.
 * `sockets` comes from the module unchecked: anything else than such a table throws.
 * @param plugin - The plugin's name, for the error messages.
 * @throws TypeError saying which rule is wrong and how.
 */
export function compileSockets(sockets: unknown, plugin: string): CompiledRule[] {
  if (sockets == null) return [];
  if (typeof sockets !== 'object') fail(`${plugin}: sockets must be an object of "channel pattern": function`);
  return Object.entries(sockets).map(([key, rule]: [string, unknown]) => {
    const where = `${plugin}: socket rule "${key}"`;
    if (typeof rule !== 'function') fail(`${where}: the value must be a function (request, platform) => boolean`);
    if (key !== ANY && !/^(?:[\w-]|<\w+>)+$/.test(key)) fail(`${where}: a channel pattern is letters, digits, _, - and <params> (or "*")`);
    // Lazy: where parameters could split a channel several ways, the earlier ones take the least
    // ("a-<x>-<y>" on "a-b-c-d": x is "b", y "c-d").
    const pattern = key === ANY ? /^(?<channel>[\w-]+)$/ : compilePattern(key, where, '[\\w-]+?');
    return { key, pattern, rule: rule as SocketRule };
  });
}

/**
 * Decides one upgrade: a channel name and a staff session first, then the first rule whose
 * pattern matches (`"*"` last); only `true` from the rule allows. Never rejects: a throwing rule
 * denies, with `error` set.
 * @param view - What the rule gets as `platform`.
 */
export async function authorizeUpgrade(rules: readonly CompiledRule[], request: Upgrade, view: PluginPlatform): Promise<Decision> {
  const channel: unknown = request.channel;
  if (typeof channel !== 'string' || !CHANNEL.test(channel)) return { allowed: false, reason: `channel "${String(channel)}" must match [\\w-]+` };
  if (!request.staff) return { allowed: false, reason: 'no staff session' };
  const found = rules.find((s) => s.key !== ANY && s.pattern.test(channel)) ?? rules.find((s) => s.key === ANY);
  if (!found) {
    const reason = rules.length ? `no socket rule matches channel ${channel} (rules: ${rules.map((s) => s.key).join(', ')})` : 'the mock module exports no socket rules';
    return { allowed: false, reason };
  }
  try {
    // The transport's request as it gave it (path, query and headers included when it had them).
    const ruleRequest = { ...request, params: { ...found.pattern.exec(channel)?.groups } } as SocketRequest;
    const result: unknown = await found.rule(ruleRequest, view);
    const allowed = result === true;
    return { allowed, reason: allowed ? '' : `the rule "${found.key}" returned ${shown(result)}${result === false ? '' : ' (only true allows)'}` };
  } catch (error) {
    return { allowed: false, reason: `the rule "${found.key}" threw: ${messageOf(error)}`, error };
  }
}
