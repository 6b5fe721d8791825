/** `lgsp gateway`: the gateway alone, on RabbitMQ, for systems that run as their own processes. */
import { MemoryLedger } from '../../gateway/ledger/ledger.ts';
import { createGateway } from '../../gateway/pipeline/gateway.ts';
import { openRuntime, safeUrl, type CommonOptions } from '../runtime.ts';

export async function gatewayOnly(options: CommonOptions): Promise<void> {
  if (!options.amqpUrl) throw new Error('lgsp gateway needs RabbitMQ: pass --amqp-url or set AMQP_URL (lgsp up runs everything in one process instead)');
  const rt = await openRuntime(options);
  const gateway = createGateway({ transport: await rt.connect('gateway'), catalog: rt.catalog, key: await rt.key(rt.catalog.gateway), ledger: new MemoryLedger(), logger: rt.log });
  await gateway.start();
  process.stdout.write(`gateway ${rt.catalog.gateway} on ${safeUrl(options.amqpUrl)}, queue prefix "${options.prefix}"; Ctrl-C stops\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void gateway.stop().then(() => rt.close()).then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
