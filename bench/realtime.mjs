/**
 * Realtime benchmarks, on the BUILT files (dist/canvas-companion.umd.min.js) in headless Chromium
 * against a `ws` server on 127.0.0.1. Each measure runs against a baseline in the same run:
 *
 * (a) 10,000 broadcast frames through subscribe() vs a bare WebSocket `onmessage` + JSON.parse
 *     in the same page (goal: at most 1.5x the baseline's time);
 * (b) reconnect time after a server restart, subscribe() vs a bare WebSocket that reconnects
 *     after a fixed delay (goal: p50 within minReconnectionDelay + 100 ms);
 * (c) createAndFind confirmation lag with `wake` vs polling alone (goal: p50 at most 1/4 of polling's).
 *
 * Real time, so the numbers depend on the machine and on what else runs on it: next to each ratio
 * the tables print the same-run baseline it divides by and the 1-minute load average (os.loadavg)
 * at the start and the end of that measure. Chromium comes from CHROMIUM_PATH (default
 * /usr/bin/chromium).
 *
 * `run()` returns the Markdown block; `node bench/realtime.mjs` prints it (build first).
 * Bounded: about 45 s in all.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { CHROMIUM_ARGS, chromiumPath } from '../scripts/chromium.mjs';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const UMD = join(ROOT, 'dist', 'canvas-companion.umd.min.js');
const CHROMIUM = chromiumPath();
const PLUGIN = 'bench_plugin';
const APP = `/plugin-io/api/${PLUGIN}/app/`;

const FRAMES = 10_000;
const ROUNDS = 7;
const RESTARTS = 15;
const MIN_DELAY = 250;
const DOWNTIME = 30;
const EFFECTS = 15;
const POLL_INTERVAL = 500;

const PAGE = `<!doctype html><meta charset="utf-8"><script src="/dist/canvas-companion.umd.min.js"></script><body>bench</body>`;

const median = (values) => quantile(values, 0.5);
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low);
}
const ms = (value) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
/** Runs `measure` and notes the 1-minute load average before and after it. */
async function underLoad(measure) {
  const before = loadavg()[0];
  const result = await measure();
  return { ...result, load: `${before.toFixed(2)} → ${loadavg()[0].toFixed(2)}` };
}
const table = (head, rows) => [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

/** HTTP + WebSocket server playing the plugin: pages, dist files, channels and a create/find pair. */
async function startBenchServer() {
  const wss = new WebSocketServer({ noServer: true });
  const channels = new Map();
  const records = new Map();
  let created = 0;
  const state = { wss, channels, records };
  const broadcast = (channel, frame) => {
    for (const socket of channels.get(channel) ?? []) if (socket.readyState === 1) socket.send(frame);
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    if (url.pathname === APP) return response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (url.pathname === '/dist/canvas-companion.umd.min.js') return response.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(UMD));
    if (url.pathname === `/plugin-io/api/${PLUGIN}/create` && request.method === 'POST') {
      // The effect lands after 100-900 ms, and the plugin broadcasts when it does.
      const token = `t${++created}`;
      setTimeout(() => {
        const landedAt = Date.now();
        records.set(token, { id: token, landedAt });
        broadcast('records', JSON.stringify({ message: { type: 'record_created', token } }));
      }, 100 + Math.random() * 800);
      request.resume();
      return response.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ lookup_params: { token }, lookup_started_at: new Date().toISOString() }));
    }
    if (url.pathname === `/plugin-io/api/${PLUGIN}/find`) {
      const record = records.get(url.searchParams.get('token'));
      return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(record ?? {}));
    }
    response.writeHead(404).end();
  });
  server.on('upgrade', (request, socket, head) => {
    const channel = new RegExp(`^/plugin-io/ws/${PLUGIN}/([\\w-]+)/$`).exec(request.url)?.[1];
    if (!channel) return socket.destroy();
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (!channels.has(channel)) channels.set(channel, new Set());
      channels.get(channel).add(ws);
      ws.on('close', () => channels.get(channel).delete(ws));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  return {
    ...state,
    origin: `http://127.0.0.1:${port}`,
    broadcast,
    /** Drops every connection, stops listening for `downtime` ms, and listens again on the same port. */
    async restart(downtime) {
      for (const socket of wss.clients) socket.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await sleep(downtime);
      await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      for (const socket of wss.clients) socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function waitFor(condition, timeout = 10_000) {
  const end = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`bench: condition not met within ${timeout} ms`);
    await sleep(10);
  }
}

/** (a) Frames through subscribe() vs a bare WebSocket in the same page. */
async function throughput(page, server) {
  await page.evaluate((frames) => {
    const counters = (window.burst = { sub: { n: 0 }, raw: { n: 0 } });
    const count = (kind) => {
      const c = counters[kind];
      if (c.n++ === 0) c.t0 = performance.now();
      if (c.n === frames) c.t1 = performance.now();
    };
    window.burstSub = CanvasCompanion.subscribe('burst-sub', (message) => {
      if (message.type === 'task_updated') count('sub');
    });
    const raw = new WebSocket(CanvasCompanion.socketUrl('burst-raw'));
    raw.onmessage = (event) => {
      const message = JSON.parse(event.data).message;
      if (message.type === 'task_updated') count('raw');
    };
  }, FRAMES);
  await waitFor(() => (server.channels.get('burst-sub')?.size ?? 0) === 1 && (server.channels.get('burst-raw')?.size ?? 0) === 1);
  await sleep(200);
  const frames = Array.from({ length: FRAMES }, (_, id) => JSON.stringify({ message: { type: 'task_updated', id, title: 'Follow up on the lab results', done: id % 2 === 0 } }));
  const times = { sub: [], raw: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so that neither path always runs on a warmer page.
    for (const kind of round % 2 ? ['sub', 'raw'] : ['raw', 'sub']) {
      await page.evaluate((k) => (window.burst[k] = { n: 0 }), kind);
      for (const frame of frames) server.broadcast(`burst-${kind}`, frame);
      await waitFor(() => page.evaluate((k) => window.burst[k].t1 !== undefined, kind));
      times[kind].push(await page.evaluate((k) => window.burst[k].t1 - window.burst[k].t0, kind));
    }
  }
  await page.evaluate(() => window.burstSub.close());
  const sub = median(times.sub);
  const raw = median(times.raw);
  return { sub, raw, ratio: sub / raw };
}

function throughputTable({ sub, raw, load }) {
  return table(
    [`${FRAMES.toLocaleString('en')} frames, median of ${ROUNDS}`, 'time (first to last frame)', 'per frame', 'vs same-run baseline', 'load average'],
    [
      ['bare `WebSocket` `onmessage` + `JSON.parse` (baseline)', ms(raw), `${((raw / FRAMES) * 1000).toFixed(2)} µs`, '1.00×', load],
      ['`subscribe()`', ms(sub), `${((sub / FRAMES) * 1000).toFixed(2)} µs`, `${(sub / raw).toFixed(2)}× of ${ms(raw)} (goal ≤ 1.5×)`, load],
    ],
  );
}

/** (b) Time from a server restart's drop to the next open. */
async function reconnect(page, server) {
  await page.evaluate((min) => {
    const result = (window.restart = { sub: [], raw: [], subOpens: 0, rawOpens: 0 });
    let subDrop;
    window.restartSub = CanvasCompanion.subscribe('restart-sub', () => {}, {
      minReconnectionDelay: min,
      maxReconnectionDelay: 4 * min,
      minUptime: 200,
      onStatus: (status) => {
        if (status === 'reconnecting' && subDrop === undefined) subDrop = performance.now();
      },
      onOpen: () => {
        result.subOpens++;
        if (subDrop !== undefined) result.sub.push(performance.now() - subDrop);
        subDrop = undefined;
      },
    });
    // Baseline: what reference clients do, a fixed delay (here minReconnectionDelay) after each close.
    let rawDrop;
    const connect = () => {
      const socket = new WebSocket(CanvasCompanion.socketUrl('restart-raw'));
      socket.onopen = () => {
        result.rawOpens++;
        if (rawDrop !== undefined) result.raw.push(performance.now() - rawDrop);
        rawDrop = undefined;
      };
      socket.onclose = () => {
        rawDrop ??= performance.now();
        setTimeout(connect, min);
      };
    };
    connect();
  }, MIN_DELAY);
  for (let restart = 1; restart <= RESTARTS; restart++) {
    await waitFor(() => page.evaluate((n) => window.restart.subOpens === n && window.restart.rawOpens === n, restart));
    await sleep(250); // past minUptime: each restart starts from the first backoff step
    await server.restart(DOWNTIME);
  }
  await waitFor(() => page.evaluate((n) => window.restart.subOpens === n && window.restart.rawOpens === n, RESTARTS + 1));
  const { sub, raw } = await page.evaluate(() => window.restart);
  await page.evaluate(() => window.restartSub.close());
  return { sub, raw, p50: median(sub), goal: MIN_DELAY + 100 };
}

function reconnectTable({ sub, raw, load }) {
  const row = (name, values, ratio) => [name, ms(median(values)), ms(quantile(values, 0.9)), ms(Math.max(...values)), ratio, load];
  const p50 = median(sub);
  return table(
    [`${RESTARTS} restarts (${DOWNTIME} ms down), minReconnectionDelay ${MIN_DELAY} ms`, 'p50', 'p90', 'max', 'p50 vs same-run baseline', 'load average'],
    [
      row(`bare \`WebSocket\`, fixed ${MIN_DELAY} ms delay (baseline)`, raw, '1.00×'),
      row('`subscribe()` (jittered backoff)', sub, `${(p50 / median(raw)).toFixed(2)}× of ${ms(median(raw))} (goal: p50 ≤ ${MIN_DELAY + 100} ms, ${p50 <= MIN_DELAY + 100 ? 'met' : 'missed'})`),
    ],
  );
}

/** (c) createAndFind: time from the record landing to the promise resolving, with and without wake. */
async function confirmation(page) {
  const available = await page.evaluate(() => typeof CanvasCompanion.createAndFind === 'function');
  if (!available) return { markdown: '_Not measured: `createAndFind` is not in the built file yet (build the effects module first)._' };
  const lags = {};
  const loads = {};
  for (const mode of ['poll', 'wake']) {
    const before = loadavg()[0];
    lags[mode] = await page.evaluate(
      async ([useWake, runs, interval, plugin]) => {
        const wake = useWake ? CanvasCompanion.subscribe('records', () => {}) : undefined;
        if (wake) while (wake.status !== 'open') await new Promise((resolve) => setTimeout(resolve, 10));
        const result = [];
        for (let run = 0; run < runs; run++) {
          const record = await CanvasCompanion.createAndFind({
            create: `/plugin-io/api/${plugin}/create`,
            find: `/plugin-io/api/${plugin}/find`,
            select: (found) => (found.id ? found : null),
            interval,
            timeout: 5000,
            wake,
          });
          result.push(Date.now() - record.landedAt);
        }
        wake?.close();
        return result;
      },
      [mode === 'wake', EFFECTS, POLL_INTERVAL, PLUGIN],
    );
    loads[mode] = `${before.toFixed(2)} → ${loadavg()[0].toFixed(2)}`;
  }
  const poll = median(lags.poll);
  const wake = median(lags.wake);
  return {
    poll,
    wake,
    markdown: table(
      [`${EFFECTS} creates, effect lands after 100–900 ms`, 'p50 lag', 'p90 lag', 'p50 vs same-run baseline', 'load average'],
      [
        [`polling alone (interval ${POLL_INTERVAL} ms, baseline)`, ms(poll), ms(quantile(lags.poll, 0.9)), '1.00×', loads.poll],
        ['polling + `wake: subscription`', ms(wake), ms(quantile(lags.wake, 0.9)), `${(wake / poll).toFixed(3)}× of ${ms(poll)} (goal ≤ 0.25×)`, loads.wake],
      ],
    ),
  };
}

/** Runs the three benchmarks and returns their Markdown tables. */
export async function run() {
  if (!existsSync(UMD)) throw new Error('bench/realtime.mjs: build first (npm run build)');
  const server = await startBenchServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage();
    await page.goto(server.origin + APP);
    const a = await underLoad(() => throughput(page, server));
    const b = await underLoad(() => reconnect(page, server));
    const c = await confirmation(page);
    const machine = `Chromium ${browser.version()}, Node ${process.versions.node}, ${availableParallelism()} × ${cpus()[0]?.model.trim() ?? 'CPU'}; local \`ws\` server on 127.0.0.1; built \`dist/canvas-companion.umd.min.js\`. Load average: the 1-minute \`os.loadavg()\` at the start → end of each measure (${availableParallelism()} cores).`;
    return [
      machine,
      '',
      '**Broadcast throughput** (goal: at most 1.5× the bare WebSocket):',
      '',
      throughputTable(a),
      '',
      '**Reconnect after a server restart**, from the drop to `onOpen` (goal: p50 within `minReconnectionDelay` + 100 ms):',
      '',
      reconnectTable(b),
      '',
      '**Confirmation lag of `createAndFind`**, from the record landing to the promise resolving (goal: p50 with `wake` at most ¼ of polling\'s):',
      '',
      c.markdown,
    ].join('\n');
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await run());
}
