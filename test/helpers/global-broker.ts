/**
 * Global setup of the integration tests: finds the RabbitMQ they run against (docs/protocol.md §9).
 * AMQP_URL if set; else a RabbitMQ container through Testcontainers where a container engine
 * is reachable; else none, and each RabbitMQ suite says visibly that it is skipped.
 */
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

/** The one place the broker image is pinned. */
export const RABBITMQ_IMAGE = 'rabbitmq:3.13-alpine';

declare module 'vitest' {
  export interface ProvidedContext {
    amqpUrl: string;
  }
}

function hasContainerEngine(): boolean {
  // Set by the test that runs the suite as a newcomer with no broker at all.
  if (process.env.LGSP_TEST_NO_CONTAINERS === '1') return false;
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = process.env.AMQP_URL ?? '';
  let stop = async () => {};
  if (!url && hasContainerEngine()) {
    try {
      const { RabbitMQContainer } = await import('@testcontainers/rabbitmq');
      const container = await new RabbitMQContainer(RABBITMQ_IMAGE).start();
      url = container.getAmqpUrl();
      stop = async () => void (await container.stop());
    } catch (err) {
      console.warn(`\n  Testcontainers could not start RabbitMQ (${(err as Error).message}); RabbitMQ suites will be skipped.\n`);
    }
  }
  project.provide('amqpUrl', url);
  return stop;
}
