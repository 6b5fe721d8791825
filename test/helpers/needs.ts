/**
 * A suite (or one test) that needs something the machine may lack — RabbitMQ, rabbitmq-server,
 * PostgreSQL: it runs where the thing is there; under CI=true without it, it fails, since CI must
 * run it; elsewhere it is skipped with a notice saying why and how to run it.
 */
import { describe, it } from 'vitest';

export interface Need {
  /** Whether the machine has it. */
  readonly available: boolean;
  /** The error under CI=true without it. */
  readonly inCi: string;
  /** The notice's reason, after the suite's name. */
  readonly notice: string;
  /** What the skipped suite's title says is missing, e.g. "AMQP_URL not set". */
  readonly missing: string;
  /** The skipped placeholder test's name. */
  readonly placeholder: string;
}

/** `describe` for a suite with a need. The body is not run when skipped: suites build what they need at collection time. */
export function describeNeeding(need: Need, name: string, body: () => void): void {
  if (need.available) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error(need.inCi);
    });
  } else {
    console.warn(`\n  SKIPPED "${name}": ${need.notice}\n`);
    describe.skip(`${name} (skipped: ${need.missing})`, () => {
      it.skip(need.placeholder, () => undefined);
    });
  }
}

/** `it` for one test with a need, inside a suite without it. */
export function itNeeding(need: Need, name: string, body: () => Promise<void>, timeout?: number): void {
  if (need.available) {
    it(name, body, timeout);
  } else if (process.env.CI === 'true') {
    it(name, () => {
      throw new Error(need.inCi);
    });
  } else {
    console.warn(`\n  SKIPPED "${name}": ${need.notice}\n`);
    it.skip(`${name} (skipped: ${need.missing})`, () => undefined);
  }
}

/**
 * Whether the long suites run: in CI, and with `npm run test:all` (LGSP_TEST_ALL=1). Each takes a
 * minute or more — a cluster, brokers killed under load, a package installed, a Python system
 * checked — so a newcomer's `npm test` skips them, saying so, and stays a few minutes.
 */
export const LONG_SUITES = process.env.CI === 'true' || process.env.LGSP_TEST_ALL === '1';

/** A long suite (see LONG_SUITES): `body` declares it where long suites run; elsewhere a visible skip says how to run it. */
export function longSuite(name: string, about: string, body: () => void): void {
  if (LONG_SUITES) {
    body();
    return;
  }
  console.warn(`\n  SKIPPED "${name}": a long suite (${about}) — it runs in CI and with npm run test:all.\n`);
  describe.skip(`${name} (skipped: a long suite, npm run test:all runs it)`, () => {
    it.skip('runs with npm run test:all', () => undefined);
  });
}
