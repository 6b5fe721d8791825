/** `lgsp gateway`: the gateway alone, on RabbitMQ, for systems that run as their own processes. */
import { startGatewayStack, type StackOptions } from '../gateway-stack.ts';
import { isPgUrl, safePgUrl } from '../../gateway/ledger/postgres-db.ts';
import { writeReady } from '../ready.ts';
import { openRuntime, safeUrl, type CommonOptions } from '../runtime.ts';

export async function gatewayOnly(options: CommonOptions & { operatorPort: number | false; ingressPort: number | false; ratePerSecond: number; busRatePerSecond?: number; ledger?: string; host: string; tls?: boolean; journal?: boolean; readyFile?: string; generateKeys?: boolean; ingressConfig?: StackOptions['ingressConfig']; dvcqg?: StackOptions['dvcqg'] }): Promise<void> {
  if (!options.amqpUrl) throw new Error('lgsp gateway needs RabbitMQ: pass --amqp-url or set AMQP_URL (lgsp up runs everything in one process instead)');
  const rt = await openRuntime(options, options.generateKeys === true);
  const stack = await startGatewayStack(rt, { command: 'gateway', operatorPort: options.operatorPort, ingressPort: options.ingressPort, ratePerSecond: options.ratePerSecond, busRatePerSecond: options.busRatePerSecond, host: options.host, tls: options.tls, journal: options.journal === true, ingressConfig: options.ingressConfig, dvcqg: options.dvcqg, ledger: options.ledger })
    .catch(async (err: Error) => {
      await rt.close();
      throw err;
    });
  process.stdout.write(`gateway ${rt.catalog.gateway} on ${safeUrl(options.amqpUrl)}, queue prefix "${options.prefix}", ledger ${isPgUrl(options.ledger) ? `${safePgUrl(options.ledger)} (shared), journal ${stack.ledgerFile}` : stack.ledgerFile}`
    + `${stack.operatorUrl ? `, operator ${stack.operatorUrl}` : ''}${stack.ingressUrl ? `, HTTP ingress ${stack.ingressUrl}` : ''}; Ctrl-C stops\n`);
  const unready = options.readyFile
    ? writeReady(options.readyFile, { pid: process.pid, command: 'gateway', transport: rt.transportKind, amqp: rt.amqp, prefix: rt.prefix, ingressUrl: stack.ingressUrl, operatorUrl: stack.operatorUrl, home: rt.home })
    : () => {};
  await new Promise<void>((resolve) => {
    const stop = () => void Promise.resolve(unready()).then(() => stack.stop()).then(() => rt.close()).then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
