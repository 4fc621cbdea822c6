// The build's (and the tests') copy of reconnecting-websocket 4.4.0, made from the TypeScript
// source its package ships rather than its ES5 build, which carries tslib helpers and class shims.
// On the way, everything src/realtime.ts never uses is left out, so no page pays for it:
// - its import-time random default delay is pinned (we always pass our own), keeping import pure;
// - public members we never touch (send, reconnect, the EventTarget methods, getters), with the
//   message queue, listener lists and debug logging that only they need.
// The package is unmaintained since 2020 and pinned exactly (package.json); any change to it fails the build.
//
// Why trim rather than bundle it whole: the trim saves 783 B min+gzip of the UMD min file
// (6,915 B against 7,698 B untrimmed, measured 2026-12-04), a tenth of the file every plugin
// page loads. `NO_TRIM=1 npm run build` bundles it untrimmed, to measure that again.
// Its licence notice is kept (as a one-line `/*!` banner, which minifiers keep) in every dist
// file that contains its code; src/bundled-socket.d.ts types the class as trimmed, so calling a
// removed member fails `tsc`.
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const dir = fileURLToPath(new URL('../node_modules/reconnecting-websocket/', import.meta.url));
const unusedPublic = ['CONNECTING', 'OPEN', 'CLOSING', 'binaryType', 'bufferedAmount', 'extensions', 'protocol', 'readyState', 'url', 'send', 'reconnect', 'addEventListener', 'removeEventListener', 'dispatchEvent', 'onerror'];
const unusedPrivate = ['_debug', '_listeners', '_callEventListener', '_messageQueue', '_binaryType', '_protocols', '_getNextDelay', 'getGlobalWebSocket'];
// What src/realtime.ts always passes makes some code dead, so it is replaced by what it then does,
// each exactly once: a WebSocket class (never the global's), no protocols, and
// minReconnectionDelay 0 (so the library's own wait is 0: realtime.ts waits with jitter itself).
const alwaysPassed = [
  ['1000 + Math.random() * 4000', '1000'],
  ['WebSocket = getGlobalWebSocket(),', 'WebSocket,'],
  [/this\._ws = this\._protocols\s*\?\s*new WebSocket\(url, this\._protocols\)\s*:\s*new WebSocket\(url\);/, 'this._ws = new WebSocket(url);'],
  ['setTimeout(resolve, this._getNextDelay());', 'setTimeout(resolve, 0);'],
];
// Whole statements that only served those members, matched on their full text.
const unusedStatements = [
  /^const getGlobalWebSocket = /,
  /^this\._protocols = protocols;$/,
  /^if \(this\._options\.startClosed\) \{/,
  /^if \(this\.onerror\) \{/,
  /^this\._debug\(/,
  /^this\._listeners\.\w+\.forEach\(listener => this\._callEventListener\(event, listener\)\);$/,
  /^this\._messageQueue\.forEach\(message => this\._ws!\.send\(message\)\);$/,
  /^this\._messageQueue = \[\];$/,
  /^this\._ws!\.binaryType = this\._binaryType;$/,
];
// How many of those statements 4.4.0 has outside the members left out.
const EXPECTED_STATEMENTS = 26;

const BANNER = '/*! reconnecting-websocket 4.4.0 | (c) 2018 Pedro Ladaria | MIT License | https://github.com/pladaria/reconnecting-websocket */';

/**
 * A rollup output plugin: the notice as a plain comment, which the file keeps but minifiers and
 * bundlers drop. For the ESM file, whose importers bundle only the exports they use.
 */
/** @type {import('rollup').OutputPlugin} */
export const plainSocketNotice = {
  name: 'plain-socket-notice',
  renderChunk(code) {
    if (!code.includes(BANNER)) this.error('the reconnecting-websocket notice is missing from the bundle');
    return { code: code.replace(BANNER, BANNER.replace('/*!', '/*')), map: null };
  },
};

/** Leaves the unused members out of the class, and the statements that only served them. */
const trim = (removed) => (context) => (file) => {
  const visit = (node) => {
    const isStatement = ts.isExpressionStatement(node) || ts.isIfStatement(node) || ts.isVariableStatement(node);
    if (isStatement && unusedStatements.some((pattern) => pattern.test(node.getText()))) {
      removed.push(node.getText());
      return undefined;
    }
    if (ts.isClassDeclaration(node) && node.name?.text === 'ReconnectingWebSocket') {
      const members = node.members.filter((member) => ![...unusedPublic, ...unusedPrivate].includes(member.name?.getText()));
      node = ts.factory.updateClassDeclaration(node, node.modifiers, node.name, node.typeParameters, node.heritageClauses, members);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return ts.visitNode(file, visit);
};

/**
 * A rollup (and vite) plugin: `import ReconnectingWebSocket from 'reconnecting-websocket'` gets the trimmed copy.
 * @type {import('vite').Plugin}
 */
export const bundledSocket = {
  name: 'bundled-socket',
  enforce: 'pre',
  resolveId(source, importer) {
    if (source === './bundled-socket.js' && !importer?.startsWith(dir)) return `${dir}reconnecting-websocket.ts`;
    if (source === './events' && importer?.startsWith(dir)) return `${dir}events.ts`;
  },
  transform(code, id) {
    if (!id.startsWith(dir)) return null;
    let source = code.replace(/^\/\*![^]*?\*\//, id.endsWith('reconnecting-websocket.ts') ? BANNER : '');
    if (id.endsWith('reconnecting-websocket.ts') && !process.env.NO_TRIM) {
      for (const [from, to] of alwaysPassed) {
        const replaced = source.replace(from, to);
        if (replaced === source) this.error(`reconnecting-websocket changed: no ${from} (scripts/bundled-socket.mjs)`);
        source = replaced;
      }
    } else {
      source = source.replace('1000 + Math.random() * 4000', '1000');
    }
    const compilerOptions = { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext, sourceMap: true };
    const removed = [];
    const { outputText, sourceMapText } = ts.transpileModule(source, { compilerOptions, fileName: id, transformers: { before: process.env.NO_TRIM ? [] : [trim(removed)] } });
    const left = [...unusedPublic.filter((name) => outputText.includes(`this.${name}`)), ...unusedPrivate.filter((name) => outputText.includes(name))];
    if (!process.env.NO_TRIM && id.endsWith('reconnecting-websocket.ts') && (left.length || removed.length !== EXPECTED_STATEMENTS || outputText.includes('Math.random'))) {
      this.error(`reconnecting-websocket changed: recheck scripts/bundled-socket.mjs (left: ${left.join(', ') || 'none'}; removed ${removed.length} statements)`);
    }
    return { code: outputText, map: sourceMapText };
  },
};
