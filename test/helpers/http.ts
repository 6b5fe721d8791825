/**
 * A plain HTTP client for ingress tests, on node:http so a test can send what fetch would tidy
 * away: a raw path with `..` or `%2F`, a header twice.
 */
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

export interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON (undefined if it is not). */
  readonly json: any;
}

export interface HttpCall {
  readonly method?: string;
  /** Headers as pairs, so one may appear twice. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: string | Buffer;
}

/** Sends one request to `base` + `path` exactly as given. */
export function http(base: string, path: string, call: HttpCall = {}): Promise<HttpReply> {
  const url = new URL(base);
  const body = call.body === undefined ? undefined : Buffer.from(call.body);
  // Raw header pairs keep duplicates; with them Node adds nothing itself, so Host and the length are ours to send.
  const framing: Array<readonly [string, string]> = [['Host', url.host], ...(body ? [['Content-Length', String(body.length)] as const] : [])];
  const headers = [...framing, ...(call.headers ?? [])].flatMap(([k, v]) => [k, v]);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: call.method ?? 'GET', path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
