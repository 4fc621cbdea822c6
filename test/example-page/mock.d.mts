// Types of mock.mjs, for TypeScript tests that import it: a mock module's exports.
import type { Route, SocketRule } from 'canvas-companion/testing';

export declare const routes: Record<string, Route>;
export declare const sockets: Record<string, SocketRule>;
