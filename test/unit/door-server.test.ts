/** A door's HTTP server: an error it emits (a client's socket gone wrong) ends nothing. */
import express from 'express';
import { describe, expect, it } from 'vitest';
import { doorServer, MAX_CONNECTIONS, SERVER_OPTIONS } from '../../adapters/http/door-server.ts';

describe("a door's HTTP server", () => {
  it('has a listener for its errors, its timeouts checked every second, and a connection cap', () => {
    const server = doorServer(express());
    expect(() => server.emit('error', new Error('a socket gone wrong'))).not.toThrow();
    expect(server.maxConnections).toBe(MAX_CONNECTIONS);
    expect(server.headersTimeout).toBe(SERVER_OPTIONS.headersTimeout);
    expect(server.requestTimeout).toBe(SERVER_OPTIONS.requestTimeout);
  });
});
