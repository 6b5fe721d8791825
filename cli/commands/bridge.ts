/** `lgsp bridge <config>`: a national system's HTTP API attached to the bus on RabbitMQ by a REST bridge. */
import { startBridge } from '../../adapters/http/bridge/bridge.ts';
import { loadBridgeConfig } from '../../adapters/http/bridge/config.ts';
import { openRuntime, safeUrl, type CommonOptions } from '../runtime.ts';

export async function bridge(file: string, options: CommonOptions): Promise<void> {
  if (!options.amqpUrl) throw new Error('lgsp bridge joins a bus on RabbitMQ: pass --amqp-url or set AMQP_URL (or use lgsp up --bridge on the embedded transport)');
  const rt = await openRuntime(options, true);
  const config = loadBridgeConfig(file, rt.catalog);
  const provider = await startBridge({ transport: await rt.connect(`${config.system} bridge`, config.system), catalog: rt.catalog, key: await rt.key(config.system), config, logger: rt.log });
  process.stdout.write(`bridge ${config.system} → ${config.baseUrl} (${Object.keys(config.services).length} services) on ${safeUrl(options.amqpUrl)}; Ctrl-C stops\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void provider.stop().then(() => rt.close()).then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
