/**
 * Navigation of the companion itself: the top window, never the plugin's iframe.
 * @module
 */
import { hostOrigin } from './channel.js';
import { isValidId } from './context.js';
import { CompanionError } from './errors.js';
import { pageWindow } from './page.js';

/**
 * The companion's path for a patient: `/companion/patient/<id>/`, for `<a target="_top">` links
 * on pages served from the companion's own origin.
 *
 * @param patientId - The patient's UUID (`patient.id`, not the database ID).
 * @throws CompanionError `INVALID_ID` unless `patientId` is a UUID; nothing else can reach the path.
 */
export function patientPath(patientId: string): string {
  if (!isValidId(patientId)) {
    throw new CompanionError('INVALID_ID', 'patientId: not a UUID');
  }
  return `/companion/patient/${patientId}/`;
}

/**
 * The absolute URL of a patient's page in the companion, on the host's origin: the origin the
 * accepted `INIT_CHANNEL` came from, or the page's own before the port arrives. For
 * `<a target="_top">` links on pages whose host runs on another origin.
 *
 * With no origin to build on it is the root-relative path alone: outside a browser, and when the
 * origin is opaque (`'null'`: a sandboxed host the page allowed, or the test kit in Node), which
 * names no place to go.
 *
 * @param patientId - The patient's UUID.
 * @throws CompanionError `INVALID_ID` unless `patientId` is a UUID.
 */
export function patientUrl(patientId: string): string {
  const path = patientPath(patientId);
  const origin = hostOrigin() ?? pageWindow()?.location.origin;
  return origin == null || origin === 'null' ? path : origin + path;
}

/**
 * Sends the clinician to a patient's page in the companion. Navigates the **top** window to
 * {@link patientUrl} (on the host's origin, which may differ from the page's), which tears down
 * this iframe and its modal; navigating the iframe itself would leave the modal open.
 *
 * @param patientId - The patient's UUID.
 * @throws CompanionError `INVALID_ID` (and nothing navigates) unless `patientId` is a UUID;
 *   `NAVIGATION_BLOCKED` when the top window cannot be navigated (e.g. a sandbox without
 *   `allow-top-navigation`, or outside a browser).
 */
export function openPatient(patientId: string): void {
  const url = patientUrl(patientId);
  // `window.top` cannot be replaced by page code (unlike `parent` or `self`).
  const top = pageWindow()?.top;
  try {
    if (top == null) throw new TypeError('no top window to navigate');
    top.location.href = url;
  } catch (cause) {
    throw new CompanionError('NAVIGATION_BLOCKED', 'top window navigation refused', { cause });
  }
}
