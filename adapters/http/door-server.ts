/**
 * The HTTP server every door of the gateway listens on (the ingress, the operator server): its
 * timeouts checked every second, a cap on connections, and a listener for its own errors.
 */
import type express from 'express';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

/** How long a caller may take to send its headers, and its whole request: a slow body holds nothing for minutes. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 15_000;
/** Connections one door's server holds at once; past it, new ones are refused at once. */
export const MAX_CONNECTIONS = 2000;

/**
 * The options of every HTTP server of the gateway (the ingress, the operator server): the
 * timeouts above, checked every second — Node checks every 30 s by default, so a slow or idle
 * connection was held that long whatever the timeouts said.
 */
export const SERVER_OPTIONS = Object.freeze({
  headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1000, keepAliveTimeout: 5000,
});

/** An HTTP (or, with `tls`, HTTPS) server for `app`, with SERVER_OPTIONS and the connection cap. */
export function doorServer(app: express.Express, tls?: { cert: string; key: string }): Server {
  const server = tls ? createHttpsServer({ ...tls, ...SERVER_OPTIONS }, app) as unknown as Server : createHttpServer(SERVER_OPTIONS, app);
  server.maxConnections = MAX_CONNECTIONS;
  // A server's error is its own (a listen that fails is also told to whoever listens for it):
  // never a reason for the process to end.
  server.on('error', () => undefined);
  return server;
}
