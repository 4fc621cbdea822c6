// Type-level checks of replayTrace() and the trace format as an author's TypeScript sees them (the
// built canvas-companion/testing declarations): `npm run typecheck` fails if a line below stops holding.
import { expectTypeOf } from 'vitest';
import {
  connectHost,
  replayTrace,
  type ReplayedRequest,
  type ReplayOptions,
  type TestHost,
  type Trace,
  type TraceMessage,
  type TraceReplay,
  type TraceRequest,
} from 'canvas-companion/testing';

declare const trace: Trace;
declare const text: string;
declare const host: TestHost;

// A trace, or the text of its file (read with readFileSync), with or without options.
expectTypeOf(replayTrace(trace)).toEqualTypeOf<TraceReplay>();
expectTypeOf(replayTrace(text, { app: 'demo_plugin:note:vitals', ignoreParams: ['_'], log: (line: string) => console.log(line) })).toEqualTypeOf<TraceReplay>();
expectTypeOf<ReplayOptions['app']>().toEqualTypeOf<string | undefined>();
// @ts-expect-error: an object is a whole Trace.
replayTrace({ format: 'canvas-companion-trace', version: 1 });
// @ts-expect-error: an app is named by its id, a string.
replayTrace(trace, { app: 1 });
// @ts-expect-error: there is no such option (the plugin comes from the recorded launch URL).
replayTrace(trace, { plugin: 'demo_plugin' });

const replay = replayTrace(trace);
expectTypeOf(replay.trace).toEqualTypeOf<Trace>();
expectTypeOf(replay.app).toEqualTypeOf<string | null>();
expectTypeOf(replay.url).toEqualTypeOf<string | null>();
expectTypeOf(replay.launch()).toEqualTypeOf<string>();
// A fetch the library takes as its own option.
expectTypeOf(replay.fetch).toEqualTypeOf<typeof fetch>();
expectTypeOf(replay.install()).toEqualTypeOf<() => void>();
expectTypeOf(replay.requests).toEqualTypeOf<readonly ReplayedRequest[]>();
expectTypeOf<ReplayedRequest['status']>().toEqualTypeOf<number | null>();
expectTypeOf<ReplayedRequest['answer']>().toEqualTypeOf<TraceRequest | null>();
// Host messages go to a TestHost's send(); the page's compare with what a TestHost records.
expectTypeOf(replay.hostMessages[0]!).toMatchTypeOf<Parameters<TestHost['send']>[0]>();
expectTypeOf(replay.sendHostMessages(host)).toEqualTypeOf<Promise<void>>();
expectTypeOf(connectHost().messages).toMatchTypeOf<typeof replay.pageMessages>();
// @ts-expect-error: read-only, as the host's records are.
replay.requests.push({} as ReplayedRequest);

// The format: version 1, the message directions, a request without an answer.
// @ts-expect-error: this kit reads version 1.
const later: Trace['version'] = 2;
expectTypeOf<TraceMessage['dir']>().toEqualTypeOf<'out' | 'in' | 'info'>();
expectTypeOf<TraceRequest['status']>().toEqualTypeOf<number | null>();
