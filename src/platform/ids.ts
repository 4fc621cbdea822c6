/**
 * Record ids in the SDK's formats: patients and staff have 32-hex "keys" (no dashes); tasks,
 * notes, appointments, messages and the rest have UUIDs.
 * @module
 */

/** A Canvas key: 32 lower-case hex digits, as `Patient.id` and `Staff.id` are. */
const KEY = /^[\da-f]{32}$/;

/** 32 hex digits as a dashed UUID (8-4-4-4-12). */
function dashed(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The 32 hex digits of a UUID or key, dashed or not, any case, trimmed; null for anything else. */
function hexDigits(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const hex = value.trim().replace(/-/g, '').toLowerCase();
  return /^[\da-f]{32}$/.test(hex) ? hex : null;
}

/**
 * Canonical (lower-case, dashed) form of a UUID, dashed or not; null for anything else. A UUID
 * field matches this way on Canvas too (Django's UUIDField reads both forms).
 * @param value - Any value: ids arrive from URLs, bodies and mock modules unchecked.
 */
export function canonicalId(value: unknown): string | null {
  const hex = hexDigits(value);
  return hex && dashed(hex);
}

/**
 * `value` when it is a Canvas key (32 lower-case hex digits, no dashes: `Patient.id`,
 * `Staff.id`), else null. Exact, as the key column matches on Canvas: a dashed or upper-case
 * form of a key finds nothing there, so it finds nothing here.
 */
export function keyOf(value: unknown): string | null {
  return typeof value === 'string' && KEY.test(value) ? value : null;
}

/**
 * Why `value` is not a key although it names one (dashed, upper case or padded), or null: what
 * a lookup that found nothing tells the author.
 */
export function keyHint(value: unknown): string | null {
  const hex = hexDigits(value);
  return hex && hex !== value ? `"${String(value)}" is not a Canvas key: patient and staff ids are 32 lower-case hex digits without dashes ("${hex}")` : null;
}

/** Random hex digits. */
function randomHex(): string {
  const digits = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16));
  // Version 4, variant 10xx (RFC 9562).
  digits[12] = 4;
  digits[16] = ((digits[16] ?? 0) & 3) | 8;
  return digits.map((digit) => digit.toString(16)).join('');
}

/** A random v4 UUID for a new record. */
export function uuid(): string {
  // randomUUID exists only in secure contexts (an http: page other than localhost has none).
  if (typeof globalThis.crypto?.randomUUID === 'function') return globalThis.crypto.randomUUID();
  return dashed(randomHex());
}

/** A new Canvas key (a patient's), as `generate_patient_id()` makes one: 32 hex digits. */
export function newKey(): string {
  return uuid().replace(/-/g, '');
}
