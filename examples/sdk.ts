// A provider and a client on the bus with the SDK, each in a few lines; run beside a gateway:
//   npx lgsp gateway --amqp-url amqp://localhost     (in one terminal)
//   npx tsx examples/sdk.ts                          (in another; it exits when answered)
import { GatewayClient } from '../adapters/amqp/client.ts';
import { ServiceProvider } from '../adapters/amqp/provider.ts';
import { loadCatalog } from '../gateway/catalog/load.ts';
import { ensureSigningKey, lgspHome, registeredPublicKeys } from '../gateway/home/keys.ts';
import { connectRabbit } from '../gateway/transport/rabbitmq.ts';

const url = process.env.AMQP_URL ?? 'amqp://localhost';
const prefix = process.env.LGSP_PREFIX ?? 'lgsp';
const home = lgspHome();
const catalog = await loadCatalog('contracts', { extraKeys: registeredPublicKeys(home) });
const common = { keys: catalog.keys, gateway: catalog.gateway };

const providerBus = await connectRabbit({ url, prefix });
const provider = await ServiceProvider.start({
  ...common, transport: providerBus, system: 'VN/GOV/BCA/DANCU', key: await ensureSigningKey(home, 'VN/GOV/BCA/DANCU'),
  handlers: { 'citizen.verify/v1': ({ body }) => ({ body: { match: body.fullName === 'Nông Thị Hoa', differences: [] } }) },
});

const clientBus = await connectRabbit({ url, prefix });
const client = await GatewayClient.connect({
  ...common, transport: clientBus, system: 'VN/PROV/CAOBANG/MOTCUA', key: await ensureSigningKey(home, 'VN/PROV/CAOBANG/MOTCUA'),
});
const reply = await client.request('VN/GOV/BCA/DANCU/citizen.verify/v1',
  { idNumber: '004190000123', fullName: 'Nông Thị Hoa', dateOfBirth: '1990-05-14' });
if (reply.status === 'ok') console.log(reply.body);          // { match: true, differences: [] }
else console.log(reply.signedBy, reply.error.type);           // e.g. gateway client.access_denied

await client.close();
await provider.stop();
await Promise.all([clientBus.close(), providerBus.close()]);
