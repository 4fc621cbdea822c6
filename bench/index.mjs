// `npm run bench`: every benchmark, one after the other (they share the cores), each against a
// baseline measured in the same run. Not part of the tests.
//
//   npm run bench                          readable tables
//   npm run bench -- --markdown            the README's Markdown blocks, exactly
//   npm run bench -- --only effects        one benchmark (effects | realtime)
//   npm run bench -- --check README.md     exits 1 unless the file holds the effects block as printed
//
// The effects benchmark runs on a simulated clock: its block is the same on every machine and in
// every run, so the README holds it byte for byte. The realtime benchmark runs in real time in
// Chromium: its block has the same shape, with this run's numbers and load average.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as effects from './effects.mjs';

const { values } = parseArgs({ options: { markdown: { type: 'boolean', default: false }, only: { type: 'string' }, check: { type: 'string' } } });
const BENCHMARKS = ['effects', 'realtime'];
if (values.only !== undefined && !BENCHMARKS.includes(values.only)) {
  console.error(`bench: --only takes one of ${BENCHMARKS.join(', ')}, not ${values.only}`);
  process.exit(2);
}

/** Markdown to plain text for a terminal: aligned table columns, no emphasis marks. */
function plain(markdown) {
  const lines = markdown.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; ) {
    if (!lines[i].startsWith('|')) {
      out.push(lines[i++].replace(/\*\*|`/g, ''));
      continue;
    }
    const rows = [];
    while (i < lines.length && lines[i].startsWith('|')) rows.push(lines[i++]);
    const cells = rows.filter((row) => !/^\|[\s|-]+\|$/.test(row)).map((row) => row.slice(1, -1).split('|').map((cell) => cell.trim().replace(/\*\*|`/g, '')));
    const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
    const line = (row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
    out.push(line(cells[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line));
  }
  return out.join('\n');
}

const show = (title, markdown) => console.log(values.markdown ? markdown : `== ${title} ==\n\n${plain(markdown)}`);
let failed = false;

if (values.check !== undefined) {
  const block = effects.table(await effects.run());
  const held = readFileSync(values.check, 'utf8').includes(block);
  console.log(held ? `bench: ${values.check} holds the effects block as printed` : `bench: ${values.check} does not hold the effects block as printed; it is now:\n\n${block}`);
  process.exit(held ? 0 : 1);
}

if (values.only === undefined || values.only === 'effects') {
  const result = await effects.run();
  show('Creating records: createAndFind against the docs loop (simulated clock)', effects.table(result));
  failed ||= Object.values(result.goals).includes(false);
}
if (values.only === undefined || values.only === 'realtime') {
  if (values.only === undefined) console.log('');
  // Imported here: it loads playwright-core, which the effects benchmark does not need.
  const realtime = await import('./realtime.mjs');
  show('Realtime (real time, in Chromium)', await realtime.run());
}
if (failed) process.exitCode = 1;
