// `npm run bench`: every benchmark, one after the other (they share two cores), each printing its
// Markdown table with the baseline measured in the same run. Not part of the tests.
import * as effects from './effects.mjs';
import * as realtime from './realtime.mjs';

console.log('## Creating records: createAndFind against the docs loop\n');
const effectsResult = await effects.run();
console.log(effects.table(effectsResult), '\n');
console.log(await realtime.run());
if (Object.values(effectsResult.goals).includes(false)) process.exitCode = 1;
