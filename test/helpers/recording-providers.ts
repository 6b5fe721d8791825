/**
 * Two providers as a process of their own, for fault tests that kill it: the population
 * database answering citizen.verify, and the national portal taking dossier.sync events. Every
 * delivery a handler sees is appended to LOG_FILE (one JSON line, written before the reply and
 * the acknowledgement), so what a killed process had handled is on disk.
 *
 * Run: node --import tsx test/helpers/recording-providers.ts, with AMQP_URL, LGSP_PREFIX,
 * LGSP_HOME (the systems' keys) and LOG_FILE set. Prints "ready" once both consume.
 */
import { appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ServiceProvider, type IncomingMessage } from '../../adapters/amqp/provider.ts';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { ensureSigningKey, registeredPublicKeys } from '../../gateway/home/keys.ts';
import { connectRabbit } from '../../gateway/transport/rabbitmq.ts';

const env = (name: string) => process.env[name] ?? (() => { throw new Error(`${name} is not set`); })();
const home = env('LGSP_HOME');
const log = env('LOG_FILE');
const catalog = await loadCatalog(join(resolve(import.meta.dirname, '../..'), 'contracts'), { extraKeys: registeredPublicKeys(home) });

function record(system: string, m: IncomingMessage): void {
  appendFileSync(log, `${JSON.stringify({ system, id: m.envelope.id, tx: m.tx, redelivery: m.redelivery })}\n`);
}

for (const [system, handlers] of [
  ['VN/GOV/BCA/DANCU', { 'citizen.verify/v1': (m: IncomingMessage) => (record('VN/GOV/BCA/DANCU', m), { body: { match: true, differences: [] } }) }],
  ['VN/GOV/VPCP/DVCQG', { 'dossier.sync/v1': (m: IncomingMessage) => void record('VN/GOV/VPCP/DVCQG', m) }],
] as const) {
  await ServiceProvider.start({
    transport: await connectRabbit({ url: env('AMQP_URL'), prefix: env('LGSP_PREFIX'), name: `recording ${system}` }),
    system, key: await ensureSigningKey(home, system), keys: catalog.keys, gateway: catalog.gateway, handlers,
  });
}
process.stdout.write('ready\n');
