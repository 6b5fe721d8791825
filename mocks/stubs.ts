/**
 * Canned answers of a mocked system, after WireMock's stubs and scenarios: for a service, when a
 * request matches (its client, and the body's top-level fields given), the mock answers what the
 * stub says instead of working it out — a body, or a business error its contract declares. A stub
 * may belong to a scenario with states: it matches only in its state (`whenState`, `Started`
 * first) and moves the scenario on (`thenState`), so the first call may get one answer and later
 * ones another. The first matching stub, in the order they were added, answers; none: the mock.
 */
import { randomUUID } from 'node:crypto';
import type { HandlerResult, IncomingMessage } from '../adapters/amqp/provider.ts';

export const STARTED = 'Started';

export interface Stub {
  readonly service: string;
  /** Only for requests of this client. */
  readonly client?: string;
  /** Only for requests whose body has these top-level fields, equal (as JSON). */
  readonly body?: Readonly<Record<string, unknown>>;
  readonly answer: { readonly body: Record<string, unknown> } | { readonly error: { readonly type: string; readonly message: string } };
  readonly scenario?: string;
  /** The scenario's state in which the stub matches (default `Started`). */
  readonly whenState?: string;
  /** The state the scenario moves to once the stub answered. */
  readonly thenState?: string;
}

export interface ActiveStub extends Stub {
  readonly id: string;
  /** How many requests it answered. */
  readonly answered: number;
}

export class Stubs {
  private readonly stubs = new Map<string, { stub: Stub; answered: number }>();
  private readonly states = new Map<string, string>();

  /** Adds a stub; returns its id. */
  add(stub: Stub): string {
    const id = randomUUID();
    this.stubs.set(id, { stub, answered: 0 });
    return id;
  }

  remove(id: string): boolean {
    return this.stubs.delete(id);
  }

  /** Every stub gone, every scenario back to `Started`. */
  clear(): void {
    this.stubs.clear();
    this.states.clear();
  }

  list(): ActiveStub[] {
    return [...this.stubs].map(([id, s]) => ({ ...s.stub, id, answered: s.answered }));
  }

  /** Each scenario's state. */
  scenarios(): Record<string, string> {
    const named = [...this.stubs.values()].map((s) => s.stub.scenario).filter((n): n is string => n !== undefined);
    return Object.fromEntries([...new Set(named)].map((n) => [n, this.states.get(n) ?? STARTED]));
  }

  /** The answer of the first stub that matches `m` for `service`, if one does (and the scenario moved on). */
  answer(service: string, m: IncomingMessage): HandlerResult | undefined {
    for (const entry of this.stubs.values()) {
      const { stub } = entry;
      if (stub.service !== service || (stub.client !== undefined && stub.client !== m.client)) continue;
      if (stub.body && !Object.entries(stub.body).every(([field, value]) => JSON.stringify(m.body[field]) === JSON.stringify(value))) continue;
      if (stub.scenario !== undefined && (this.states.get(stub.scenario) ?? STARTED) !== (stub.whenState ?? STARTED)) continue;
      entry.answered += 1;
      if (stub.scenario !== undefined && stub.thenState !== undefined) this.states.set(stub.scenario, stub.thenState);
      return 'body' in stub.answer ? { body: { ...stub.answer.body } } : { error: { ...stub.answer.error } };
    }
    return undefined;
  }
}
