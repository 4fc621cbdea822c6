/**
 * A raw HTTP client for the harness tests: bytes that no HTTP library would send.
 */
import { connect } from 'node:net';

/** Sends raw bytes to 127.0.0.1:`port`; resolves everything the server sent until it closed (or `limit` ms passed). */
export function raw(port: number, text: string, limit = 5_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => socket.destroy(), limit);
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}
