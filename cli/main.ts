/** The `lgsp` command line (DESIGN §8). */
import { Command, InvalidArgumentError, Option } from 'commander';
import { CatalogError } from '../gateway/catalog/load.ts';
import { gatewayOnly } from './commands/gateway.ts';
import { generateKey, listKeys, registerKey } from './commands/keys.ts';
import { up } from './commands/up.ts';

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function withCommon(command: Command): Command {
  return command
    .option('--contracts <dir>', 'the catalog and contracts folder', 'contracts')
    .addOption(new Option('--home <dir>', 'state directory (keys, ledger)').env('LGSP_HOME'))
    .addOption(new Option('--amqp-url <url>', 'RabbitMQ to use instead of the embedded transport').env('AMQP_URL'))
    .option('--prefix <prefix>', 'queue name prefix on the broker', 'lgsp')
    .addOption(new Option('--log-level <level>', 'log level on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('warn'));
}

const program = new Command('lgsp')
  .description('LGSP Simulator: a signed-message gateway over RabbitMQ between mocked national and provincial systems')
  .showHelpAfterError();

withCommon(program.command('up'))
  .description('run the gateway, the mocked systems and a provincial workload, with a live summary')
  .option('--rate <n>', 'dossiers per second across the provinces', positive, 20)
  .option('--seed <n>', 'seed of the synthetic data', positive, 2025)
  .option('--duration <seconds>', 'stop after this long (default: until Ctrl-C)', positive)
  .action((options) => up(options));

withCommon(program.command('gateway'))
  .description('run the gateway alone on RabbitMQ')
  .action((options) => gatewayOnly(options));

const keys = program.command('keys').description('generate, register and list signing keys in LGSP_HOME');
keys.command('generate <system>')
  .description('generate a key pair for a system (kept if it exists) and register its public key')
  .option('--name <name>', 'key name, the part after # in the kid', 'k1')
  .addOption(new Option('--alg <alg>', 'signature algorithm').choices(['EdDSA', 'ES256']).default('EdDSA'))
  .addOption(new Option('--home <dir>', 'state directory').env('LGSP_HOME'))
  .action((system, options) => generateKey(system, options));
keys.command('register <system> <jwk-file>')
  .description("register a system's own public JWK (its kid is the key name)")
  .addOption(new Option('--home <dir>', 'state directory').env('LGSP_HOME'))
  .action((system, file, options) => registerKey(system, file, options));
keys.command('list')
  .description('list the registered public keys')
  .addOption(new Option('--home <dir>', 'state directory').env('LGSP_HOME'))
  .action((options) => listKeys(options));

try {
  await program.parseAsync();
} catch (err) {
  const message = err instanceof CatalogError ? `catalog: ${err.message}` : (err as Error).message;
  process.stderr.write(`lgsp: ${message}\n`);
  process.exitCode = 1;
}
