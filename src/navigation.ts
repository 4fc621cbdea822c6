/**
 * Navigation of the companion itself: the top window, never the plugin's iframe.
 * @module
 */
import { isValidId } from './context.js';
import { CompanionError } from './errors.js';

/**
 * The companion's path for a patient: `/companion/patient/<id>/`, for `<a target="_top">` links.
 *
 * @param patientId - The patient's UUID (`patient.id`, not the database ID).
 * @throws CompanionError `INVALID_ID` unless `patientId` is a UUID; nothing else can reach the path.
 */
export function patientPath(patientId: string): string {
  if (!isValidId(patientId)) {
    throw new CompanionError('INVALID_ID', 'not a UUID');
  }
  return `/companion/patient/${patientId}/`;
}

/**
 * Sends the clinician to a patient's page in the companion. Navigates the **top** window, which
 * tears down this iframe and its modal; navigating the iframe itself would leave the modal open.
 *
 * @param patientId - The patient's UUID.
 * @throws CompanionError `INVALID_ID` (and nothing navigates) unless `patientId` is a UUID;
 *   `NAVIGATION_BLOCKED` when the browser refuses to navigate the top window (e.g. a sandbox
 *   without `allow-top-navigation`).
 */
export function openPatient(patientId: string): void {
  const path = patientPath(patientId);
  try {
    top!.location.href = path;
  } catch (cause) {
    throw new CompanionError('NAVIGATION_BLOCKED', 'navigation refused', { cause });
  }
}
