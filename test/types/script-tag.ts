/// <reference path="../../dist/canvas-companion.d.ts" />
// A page that loads the UMD file with a <script> tag and no import: the declaration file's
// `export as namespace CanvasCompanion` types the global. `npm run typecheck` fails without it.
const closing: Promise<'port' | 'window'> = CanvasCompanion.closeModal({ timeout: 500 });
const context: CanvasCompanion.CompanionContext = CanvasCompanion.getContext();
if (context.scope === 'note') CanvasCompanion.openPatient(context.patientId);
void closing;
