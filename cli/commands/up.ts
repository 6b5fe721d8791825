/**
 * `lgsp up`: the gateway, the mocked systems and a provincial workload in one process, with a
 * live summary. Embedded transport unless an AMQP URL is given. Ctrl-C stops it cleanly.
 */
import { GatewayClient } from '../../adapters/amqp/client.ts';
import { ServiceProvider } from '../../adapters/amqp/provider.ts';
import { population } from '../../mocks/data/people.ts';
import { DANCU, dancuHandlers } from '../../mocks/national/dancu.ts';
import { DVCQG, dvcqgHandlers } from '../../mocks/national/dvcqg.ts';
import { startDesk } from '../../mocks/provincial/desk.ts';
import { startGatewayStack } from '../gateway-stack.ts';
import { openRuntime, safeUrl, type CommonOptions } from '../runtime.ts';
import { Summary } from '../summary.ts';

export interface UpOptions extends CommonOptions {
  operatorPort: number | false;
  rate: number;
  seed: number;
  duration?: number;
}

const DESKS = [
  { system: 'VN/PROV/CAOBANG/MOTCUA', agency: '000.00.04.H04', ward: 'Thục Phán' },
  { system: 'VN/PROV/DIENBIEN/MOTCUA', agency: '000.00.11.H12', ward: 'Điện Biên Phủ' },
  { system: 'VN/PROV/DONGTHAP/MOTCUA', agency: '000.00.87.H20', ward: 'Đạo Thạnh' },
  { system: 'VN/PROV/CAMAU/MOTCUA', agency: '000.00.96.H12', ward: 'Tân Thành' },
];

export async function up(options: UpOptions): Promise<void> {
  const rt = await openRuntime(options, true);
  const { catalog } = rt;
  const summary = new Summary();
  const out = process.stdout;
  out.write(`LGSP Simulator — ${catalog.systems.size} systems, ${catalog.services.size} services, on ${options.amqpUrl ? `RabbitMQ ${safeUrl(options.amqpUrl)}` : 'the embedded transport'}\n`);
  const stack = await startGatewayStack(rt, { operatorPort: options.operatorPort, onRecord: (r) => summary.add(r) });
  out.write(`state and ledger in ${rt.home}${stack.operatorUrl ? `; dashboard ${stack.operatorUrl}/` : ''}; Ctrl-C stops\n\n`);

  const common = { keys: catalog.keys, gateway: catalog.gateway, logger: rt.log };
  const people = population(options.seed, 20_000);
  const providers = [
    await ServiceProvider.start({ ...common, transport: await rt.connect(DANCU), system: DANCU, key: await rt.key(DANCU), handlers: dancuHandlers(people) }),
    await ServiceProvider.start({ ...common, transport: await rt.connect(DVCQG), system: DVCQG, key: await rt.key(DVCQG), handlers: dvcqgHandlers({ received: new Map() }) }),
  ];
  const citizens = [...people.values()];
  const desks: Array<{ client: GatewayClient; stop: () => Promise<void> }> = [];
  for (const [i, d] of DESKS.entries()) {
    const client = await GatewayClient.connect({ ...common, transport: await rt.connect(d.system), system: d.system, key: await rt.key(d.system) });
    desks.push({ client, stop: startDesk({ client, agency: d.agency, ward: d.ward, people: citizens, perSecond: options.rate / DESKS.length, seed: options.seed + i }) });
  }

  const ticker = setInterval(() => summary.draw(), 1000);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(ticker);
    summary.release();
    out.write('\nstopping…\n');
    for (const d of desks) await d.stop();
    for (const d of desks) await d.client.close();
    await stack.stop();
    for (const p of providers) await p.stop();
    await rt.close();
    summary.draw();
    out.write('stopped.\n');
  };
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => void stop().then(resolve));
    process.once('SIGTERM', () => void stop().then(resolve));
    if (options.duration) setTimeout(() => void stop().then(resolve), options.duration * 1000).unref();
  });
}
