/**
 * Record ids: the platform's ids are UUIDs in canonical form, as Canvas gives them.
 * @module
 */

/** 32 hex digits as a dashed UUID (8-4-4-4-12). */
function dashed(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Canonical (lower-case, dashed) form of a UUID, dashed or not; null for anything else.
 * @param value - Any value: ids arrive from URLs, bodies and mock modules unchecked.
 */
export function canonicalId(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const hex = value.trim().replace(/-/g, '').toLowerCase();
  return /^[\da-f]{32}$/.test(hex) ? dashed(hex) : null;
}

/** A random v4 UUID for a new record. */
export function uuid(): string {
  // randomUUID exists only in secure contexts (an http: page other than localhost has none).
  if (typeof globalThis.crypto?.randomUUID === 'function') return globalThis.crypto.randomUUID();
  const digits = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16));
  // Version 4, variant 10xx (RFC 9562).
  digits[12] = 4;
  digits[16] = ((digits[16] ?? 0) & 3) | 8;
  return dashed(digits.map((digit) => digit.toString(16)).join(''));
}
