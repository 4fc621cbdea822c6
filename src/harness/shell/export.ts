/**
 * Export trace: the session's trace (GET /companion/api/trace) and the shell's message log as one
 * Trace file (src/platform/trace.ts), downloaded as companion-trace-<yyyymmdd-hhmmss>.json.
 * @module
 */
import { TRACE_FORMAT, type Trace } from '../../platform/trace.js';
import { $, api, failure, toast } from './dom.js';
import { traceMessages } from './messages.js';
import type { TraceData } from './trace-state.js';

const two = (n: number) => String(n).padStart(2, '0');
/** `companion-trace-20261204-210606.json`, in local time. */
export function traceFileName(date = new Date()): string {
  return `companion-trace-${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}-${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}.json`;
}

async function exportTrace(): Promise<void> {
  const answer = await api<TraceData>('/trace');
  if (!answer.ok) return toast(`Could not export the trace: ${failure(answer)}`);
  const { session, harness, requests, effects, sockets } = answer.body;
  const now = new Date();
  const file: Trace = { format: TRACE_FORMAT, version: 1, exported_at: now.toISOString(), harness, session, messages: traceMessages(), requests, effects, sockets };
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(file, null, 2)}\n`], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = traceFileName(now);
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once it started.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Wires the Export trace button. */
export function initExport(): void {
  const button = $<HTMLButtonElement>('#export-trace');
  button.addEventListener('click', () => {
    button.disabled = true;
    void exportTrace().finally(() => (button.disabled = false));
  });
}
