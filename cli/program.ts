/** The `lgsp` command line's commands and flags (docs/protocol.md §8), built without running anything: main.ts runs it, tests read it. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { FAULT_PROFILES } from '../mocks/faults.ts';
import { WORKLOAD_PROFILES } from '../mocks/workload.ts';
import { DEFAULT_DOOR_PATHS } from '../adapters/http/doors.ts';
import { packageFile, packageVersion } from '../gateway/home/package-root.ts';

/** The package's own catalog and contracts, wherever it is installed. */
const CONTRACTS = packageFile('contracts');

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function list(value: string): string[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!Object.hasOwn(FAULT_PROFILES, n)) throw new InvalidArgumentError(`no fault profile "${n}"`);
  return names;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0 picks a free one)');
  return n;
}

function withOperator(command: Command): Command {
  return command
    .option('--operator-port <port>', 'operator server (metrics, API, dashboard) port; 0 picks a free one', port, 8081)
    .option('--no-operator', 'run without the operator server')
    .option('--ingress-port <port>', 'HTTP ingress port (POST /r1/<service>); 0 picks a free one', port, 8080)
    .option('--no-ingress', 'run without the HTTP ingress')
    .option('--rate-limit <n>', 'requests a second each system may make through the HTTP ingress', positive, 100)
    .option('--bus-rate-limit <n>', 'messages a second each system may send on the bus (counted once its signature verifies)', positive, 2000)
    .option('--host <address>', 'address the ingress and operator server listen on (0.0.0.0 for other machines)', '127.0.0.1')
    .option('--tls', "serve the ingress and the operator server over HTTPS, with a certificate from the state directory's own authority (clients trust LGSP_HOME/tls/ca.pem)")
    .option('--session-seconds <n>', "how long a DVCQG adapter session lasts (short, so that clients meet expiry)", positive, 300)
    .option('--access-token-seconds <n>', 'how long an access token of POST /token lasts', positive, 300)
    .option('--api-path <name=path...>', `where a real API answers on the ingress port, if not its default (${Object.keys(API_PATHS).join(', ')})`, apiPaths, {});
}

/** The real APIs' places on the ingress port that --api-path may move (adapters/http/doors.ts). */
const API_PATHS = DEFAULT_DOOR_PATHS;

function apiPaths(value: string, previous: Record<string, string>): Record<string, string> {
  const m = /^([a-z-]+)=(\/[A-Za-z0-9/_.-]*)$/.exec(value);
  if (!m || !(m[1]! in API_PATHS)) throw new InvalidArgumentError(`expected <name>=/<path>, the name one of ${Object.keys(API_PATHS).join(', ')}`);
  return { ...previous, [m[1]!]: m[2]! };
}

/** The stack's ports from the shared options. */
function ports(options: {
  operator?: boolean; operatorPort: number; ingress?: boolean; ingressPort: number; rateLimit: number; busRateLimit: number; host: string; tls?: boolean;
  sessionSeconds: number; accessTokenSeconds: number; apiPath: Record<string, string>;
}) {
  const path = (name: keyof typeof API_PATHS) => options.apiPath[name] ?? API_PATHS[name];
  return {
    tls: options.tls,
    ingressConfig: { accessTokenSeconds: options.accessTokenSeconds, tokenPath: path('token'), lgspBase: path('lgsp'), dancuSoapPath: path('soap') },
    dvcqg: { sessionSeconds: options.sessionSeconds, authPath: path('dvcqg-auth'), apiPath: path('dvcqg-api') },
    operatorPort: options.operator === false ? false as const : options.operatorPort, ingressPort: options.ingress === false ? false as const : options.ingressPort,
    ratePerSecond: options.rateLimit, busRatePerSecond: options.busRateLimit, host: options.host,
  };
}

/** The state directory option every command that reads or writes LGSP_HOME takes. */
const homeOption = () => new Option('--home <dir>', 'state directory (keys, ledger)').env('LGSP_HOME');

function withCommon(command: Command, amqpHelp = 'RabbitMQ to use instead of the embedded transport'): Command {
  return command
    .option('--contracts <dir>', 'the catalog and contracts folder', CONTRACTS)
    .addOption(homeOption())
    .addOption(new Option('--amqp-url <url>', amqpHelp).env('AMQP_URL'))
    .option('--prefix <prefix>', 'queue name prefix on the broker', 'lgsp')
    .addOption(new Option('--amqp-ca <file>', "for amqps://: the broker's certificate authority (PEM), e.g. LGSP_HOME/tls/ca.pem from lgsp keys tls").env('AMQP_CA'))
    .option('--broker-users', 'on RabbitMQ, connect each part as its own broker user (made by lgsp broker provision)')
    .addOption(new Option('--log-level <level>', 'log level on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('warn'));
}


/** Every lgsp command with its flags. */
export function buildProgram(): Command {
  const program = new Command('lgsp')
    // Before any command is added, so that every one inherits it: main.ts decides the exit code (a usage mistake is 2).
    .exitOverride()
    .version(packageVersion(), '--version', 'the version of lgsp')
    .description('LGSP Simulator: a signed-message gateway over RabbitMQ between mocked national and provincial systems')
    // After a mistake, the one line that says what was wrong, and where the flags are: not the whole help.
    .showHelpAfterError('(lgsp <command> --help lists its flags)');

  withOperator(withCommon(program.command('up')))
    .description('run the gateway, every mocked national and provincial system and a live workload, with a live summary')
    .option('--rate <n>', 'dossiers per second across the provinces', positive, 8)
    .option('--seed <n>', 'seed of the synthetic data', positive, 2025)
    .option('--citizens <n>', 'synthetic citizens in the population database', positive, 100_000)
    .option('--faults <profiles>', `fault profiles to switch on, comma-separated (${Object.keys(FAULT_PROFILES).join(', ')})`, list, [])
    .option('--result-delay <ms>', 'how long a judicial record certificate takes (10 days by law, compressed)', positive, 3000)
    .addOption(new Option('--profile <name>', 'replay a workload profile instead of the live workload, then stop').choices(Object.keys(WORKLOAD_PROFILES)))
    .option('--profile-seconds <n>', 'how long the replayed period takes (default: 30, longer for a large profile: 1 s per 150 dossiers)', positive)
    .option('--scale <transactions>', 'with --profile: stream its shares at volume until this many transactions are recorded (constant memory; progress bar; rate reached)', positive)
    .option('--duration <seconds>', 'stop after this long (default: until Ctrl-C)', positive)
    .option('--bridge <config...>', "attach a national system's HTTP API by a REST bridge instead of its mock (see bridges/)")
    .option('--no-journal', 'keep no journal of each transaction (on by default here: the data is synthetic)')
    .option('--no-workload', 'no live workload: the mocks answer, the provinces start no dossiers (a quiet simulator for your own tests)')
    .option('--provision', 'on RabbitMQ: first make the broker users (as lgsp broker provision, with --amqp-url as the administrator), then connect each part as its own user')
    .option('--management-url <url>', "with --provision: RabbitMQ's management API (default: http://<the AMQP host>:15672)")
    .option('--ready-file <file>', 'write this file (JSON: pid, addresses) once every part is connected; removed on stop (lgsp wait --ready-file reads it)')
    .action(async (options, command: Command) => {
      // A usage mistake: said as commander says its own (one line, exit 2).
      if (options.scale && !options.profile) command.error('--scale streams a workload profile: add --profile <name> (e.g. ca-mau)', { exitCode: 2 });
      const { up } = await import('./commands/up.ts');
      return up({ ...options, ...ports(options), bridge: options.bridge ?? [] });
    });

  withOperator(withCommon(program.command('gateway')))
    .description('run the gateway alone on RabbitMQ')
    .option('--journal', 'journal each transaction: the request and answer at the door, the signed messages, the checks (holds personal data: off by default)')
    .option('--ready-file <file>', 'write this file (JSON: pid, addresses) once the gateway is connected; removed on stop')
    .option('--generate-keys', 'first make a key for each catalog system that has none in the state directory (mocks beside it then share them)')
    .addOption(new Option('--ledger <url>', "record in this PostgreSQL ledger, shared with other gateway instances (postgres://user:password@host/db[?schema=name]); default: the state directory's SQLite ledger").env('LGSP_LEDGER'))
    .action(async (options, command: Command) => {
      const { isPgUrl } = await import('../gateway/ledger/postgres-db.ts');
      if (options.ledger && !isPgUrl(options.ledger)) command.error(`--ledger takes a postgres:// URL, not ${JSON.stringify(String(options.ledger).slice(0, 40))}`, { exitCode: 2 });
      const { gatewayOnly } = await import('./commands/gateway.ts');
      return gatewayOnly({ ...options, ...ports(options) });
    });

  withOperator(withCommon(program.command('check <system>')))
    .description('the connection test a system must pass before go-live: the gateway and every other mocked system, then the plan (provider checks, the client window with injected faults), scores and a verdict; reports in LGSP_HOME/checks/ (exit 0 passed, 1 failed, 2 could not run)')
    .option('--plan <file>', 'the check plan (default: the one in plans/ for this kind of system)')
    .option('--mock', "check the simulator's own mock of the system (it rehearses the plan's scenarios)")
    .option('--window <seconds>', "how long the system has to make the plan's interactions (default: the plan's)", positive)
    .option('--connect-seconds <n>', 'how long to wait for the system to connect before the provider checks', positive, 120)
    .option('--seed <n>', 'seed of the synthetic data', positive, 2025)
    .option('--junit <file>', 'also write the JUnit XML report here')
    .option('--html <file>', 'also write the HTML report here')
    .option('--json <file>', 'also write the JSON report here')
    .option('--ready-file <file>', 'write this file once the bus is ready for the system to connect (lgsp wait --ready-file reads it)')
    .action(async (system, options) => {
      const [{ check, CheckSetupError }, { CatalogError }, { HomeInUseError }, { PortInUseError }] = await Promise.all([
        import('./commands/check.ts'), import('../gateway/catalog/load.ts'), import('../gateway/home/running.ts'), import('./gateway-stack.ts'),
      ]);
      process.exitCode = await check(system, { ...options, ...ports(options) }).catch((err: Error) => {
        // It could not run: its set-up failed (exit 2), as against a check that failed (exit 1).
        if (!(err instanceof CheckSetupError || err instanceof CatalogError || err instanceof HomeInUseError || err instanceof PortInUseError)) throw err;
        process.stderr.write(`lgsp check: ${err instanceof CatalogError ? `plan or catalog: ${err.message}` : err.message}\n`);
        return 2;
      });
    });

  program.command('wait')
    .description('wait until a simulator is ready: its --ready-file written by a live process (else the gateway on the state directory running) and its /readyz answering (exit 1 after --timeout)')
    .option('--ready-file <file>', 'the file lgsp up, gateway or check was given')
    .option('--timeout <seconds>', 'how long to wait', positive, 120)
    .addOption(homeOption())
    .action(async (options) => {
      process.exitCode = await (await import('./commands/wait.ts')).waitReady(options);
    });

  const keys = program.command('keys').description('generate, register and list signing keys in LGSP_HOME');
  keys.command('generate <system>')
    .description('generate a key pair for a system (kept if it exists) and register its public key')
    .option('--name <name>', 'key name, the part after # in the kid', 'k1')
    .addOption(new Option('--alg <alg>', 'signature algorithm').choices(['EdDSA', 'ES256']).default('EdDSA'))
    .addOption(homeOption())
    .action(async (system, options) => (await import('./commands/keys.ts')).generateKey(system, options));
  keys.command('register <system> <jwk-file>')
    .description("register a system's own public JWK (its kid is the key name)")
    .addOption(homeOption())
    .action(async (system, file, options) => (await import('./commands/keys.ts')).registerKey(system, file, options));
  keys.command('token <system>')
    .description('issue a bearer token for the HTTP ingress\'s credential mode (shown once; stored hashed)')
    .option('--label <text>', 'a note kept with the token')
    .addOption(homeOption())
    .action(async (system, options) => (await import('./commands/keys.ts')).issueTokenFor(system, options));
  keys.command('operator-token')
    .description('issue an operator token: changing the running simulator (faults, refunds) through the operator server needs one (shown once; stored hashed)')
    .option('--label <text>', 'a note kept with the token')
    .addOption(homeOption())
    .action(async (options) => (await import('./commands/keys.ts')).issueOperatorToken(options));
  keys.command('revoke <system> <token-id>')
    .description('revoke a bearer token by its id (see lgsp keys list)')
    .addOption(homeOption())
    .action(async (system, id, options) => (await import('./commands/keys.ts')).revokeTokenOf(system, id, options));
  keys.command('tls')
    .description("make the state directory's certificate authority and a server certificate (tls/ca.pem, server.pem, server.key): for --tls, and for RabbitMQ's amqps:// listener")
    .option('--host <name...>', 'more names or addresses the server certificate is for (localhost, 127.0.0.1 and this host are always in it)')
    .addOption(homeOption())
    .action(async (options) => (await import('./commands/keys.ts')).makeTls(options));
  keys.command('list')
    .description('list the registered public keys and issued tokens')
    .addOption(homeOption())
    .action(async (options) => (await import('./commands/keys.ts')).listKeys(options));

  const operatorUrl = new Option('--url <url>', 'the operator server of a running gateway (default: the one running on the state directory, else http://127.0.0.1:8081)').env('LGSP_OPERATOR_URL');

  program.command('stats')
    .description('counts by service, client and outcome from a running gateway')
    .addOption(operatorUrl)
    .addOption(homeOption())
    .option('--minutes <n>', 'how far back', positive, 60)
    .option('--client <system>', 'only this client')
    .option('--service <service>', 'only this service')
    .option('--json', 'print JSON')
    .action(async (options) => (await import('./commands/watch.ts')).stats(options));

  program.command('tail')
    .description('print transactions as the gateway records them, until Ctrl-C')
    .addOption(operatorUrl)
    .addOption(homeOption())
    .option('--count <n>', 'stop after this many', positive)
    .action(async (options) => (await import('./commands/watch.ts')).tail(options));

  withCommon(program.command('mock <system...>'))
    .description('run mocked national or provincial systems on RabbitMQ, in one process (all: every one)')
    .option('--seed <n>', 'seed of the synthetic data', positive, 2025)
    .option('--citizens <n>', 'synthetic citizens', positive, 100_000)
    .option('--faults <profiles>', 'fault profiles to switch on, comma-separated', list, [])
    .option('--result-delay <ms>', 'how long a judicial record certificate takes', positive, 3000)
    .action(async (systems, options) => (await import('./commands/mock.ts')).mock(systems, options));

  withCommon(program.command('bridge <config>'))
    .description("attach a national system's HTTP API to the bus on RabbitMQ by a REST bridge (see bridges/)")
    .action(async (file, options) => (await import('./commands/bridge.ts')).bridge(file, options));

  const throughGateway = 'the RabbitMQ of a running gateway (without it: the HTTP ingress of the lgsp up on this state directory)';
  withCommon(program.command('send <service> <json-body>'), throughGateway)
    .description('send one signed request as a system through a running gateway (RabbitMQ with --amqp-url, else the HTTP ingress of the lgsp up on this state directory) and print the verified reply')
    .requiredOption('--as <system>', 'the client system to sign as (its key in LGSP_HOME)')
    .option('--user-id <id>', 'the officer acting (required for personal data)')
    .option('--issue <dossier>', 'the dossier or case')
    .option('--timeout <ms>', 'how long to wait for the reply', positive, 30_000)
    .action(async (service, body, options) => (await import('./commands/send.ts')).send(service, body, options));

  withCommon(program.command('load'), throughGateway)
    .description("send one service's requests at a steady rate through a running gateway (RabbitMQ with --amqp-url, else the HTTP ingress of the lgsp up on this state directory) and report rate, latency and errors")
    .option('--client <system>', 'the client system to send as', 'VN/PROV/CAOBANG/MOTCUA')
    .option('--service <service>', 'the service to call', 'VN/GOV/BCA/DANCU/citizen.verify/v1')
    .option('--rate <n>', 'requests per second', positive, 100)
    .option('--duration <seconds>', 'how long', positive, 10)
    .option('--body <json>', "the request body (default: the contract's first valid example)")
    .action(async (options) => (await import('./commands/load.ts')).load(options));

  program.command('bench')
    .description('raw RabbitMQ request/reply, the durable relay (the gateway\'s hops, no checks), the floor (the relay with both signatures checked and each transaction recorded) and full gateway transactions, in one run on the same broker')
    .addOption(new Option('--amqp-url <url>', 'the RabbitMQ to measure on').env('AMQP_URL'))
    .option('--contracts <dir>', 'the catalog and contracts folder', CONTRACTS)
    .option('--count <n>', 'round trips per phase', positive, 20000)
    .option('--concurrency <n>', 'requests in flight', positive, 200)
    .option('--rate <n>', 'fixed rate of the open-loop phase, per second', positive, 1000)
    .option('--rate-seconds <n>', 'length of the open-loop phase, in seconds', positive, 10)
    .option('--serial-count <n>', 'round trips one at a time', positive, 2000)
    .action(async (options) => (await import('./commands/bench.ts')).bench(options));

  const contractsCommand = program.command('contracts').description('the contracts: lint them, diff two versions, export the bus (AsyncAPI) and the doors (OpenAPI)');
  contractsCommand.command('lint')
    .description('every contract the catalog names, each problem with its file, line and JSON pointer (exit 2 on any)')
    .option('--contracts <dir>', 'the catalog and contracts folder', CONTRACTS)
    .action(async (options) => (await import('./commands/contracts.ts')).lint(options));
  contractsCommand.command('diff <old> <new>')
    .description('the changes between two versions of a contract, breaking or not, each with its place (exit 2 if one breaks)')
    .action(async (before, after) => (await import('./commands/contracts.ts')).diff(before, after));
  contractsCommand.command('export')
    .description('the bus as AsyncAPI 3.0 or the HTTP ingress as OpenAPI 3.1, as JSON on standard output')
    .addOption(new Option('--format <format>', 'what to export').choices(['asyncapi', 'openapi']).default('asyncapi'))
    .option('--contracts <dir>', 'the catalog and contracts folder', CONTRACTS)
    .option('--prefix <prefix>', 'queue name prefix on the broker', 'lgsp')
    .action(async (options) => (await import('./commands/contracts.ts')).exportContracts(options));

  const systemCommand = program.command('system').description("your own system, registered beside the catalog (LGSP_HOME/systems.yaml) with a key and a token for every door");
  systemCommand.command('add <id>')
    .description('register a system (e.g. VN/PROV/HAGIANG/MOTCUA); restart the gateway to take it')
    .requiredOption('--name-vi <name>', 'its name in Vietnamese')
    .requiredOption('--name-en <name>', 'its name in English')
    .option('--agency-code <code>', "its agency code at the national portal (the DVCQG adapter's madonvi)")
    .option('--like <system>', 'provide what this catalog system provides (e.g. VN/PROV/CAOBANG/MOTCUA for a province)')
    .option('--calls <service...>', "services it may call besides those the catalog's access patterns give it")
    .option('--jwk <file>', 'its own public key (JWK), for messages it signs itself')
    .option('--provider-url <url>', 'where it answers what it provides over plain HTTP (the HTTP provider door: POST <url>/r1/<service id>), instead of on the bus')
    .option('--contracts <dir>', 'the catalog and contracts folder', CONTRACTS)
    .addOption(homeOption())
    .action(async (id, options) => (await import('./commands/system.ts')).addSystem(id, options));
  systemCommand.command('list')
    .description('the systems registered in LGSP_HOME')
    .addOption(homeOption())
    .action(async (options) => (await import('./commands/system.ts')).listSystems(options));
  systemCommand.command('remove <id>')
    .description('remove a registered system (its keys and tokens stay)')
    .addOption(homeOption())
    .action(async (id, options) => (await import('./commands/system.ts')).removeSystem(id, options));

  const brokerCommand = program.command('broker').description('least privilege on RabbitMQ: a broker user for the gateway and for each system');
  for (const [name, description] of [
    ['provision', "create (or update) the users and their permissions through RabbitMQ's management API; passwords kept in LGSP_HOME/broker-users.json"],
    ['remove', "delete this prefix's broker users"],
  ] as const) {
    brokerCommand.command(name)
      .description(description)
      .addOption(new Option('--amqp-url <url>', "RabbitMQ, with an administrator's login").env('AMQP_URL'))
      .option('--management-url <url>', "RabbitMQ's management API (default: http://<the AMQP host>:15672, same login)")
      .option('--prefix <prefix>', 'queue name prefix on the broker', 'lgsp')
      .option('--contracts <dir>', 'the catalog and contracts folder', CONTRACTS)
      .addOption(homeOption())
      .action(async (options) => (await import('./commands/broker.ts'))[name](options));
  }

  const ledgerCommand = program.command('ledger').description('the transaction ledger in LGSP_HOME');
  ledgerCommand.command('reset')
    .description('remove the ledger so the next start begins a new one (keys and tokens stay; refused while a gateway runs on it)')
    .addOption(homeOption())
    .action(async (options) => (await import('./commands/ledger.ts')).resetLedger(options));
  ledgerCommand.command('verify')
    .description("check the ledger's hash chain, its signed heads and its kept answers, and say where it breaks (exit 2 if it does, or if records after the last signed head are vouched for by none)")
    .addOption(homeOption())
    .option('--file <path>', 'a ledger file (default: <home>/ledger.sqlite)')
    .addOption(new Option('--ledger <url>', 'a PostgreSQL ledger instead (postgres://user:password@host/db[?schema=name]), shared by several gateways').env('LGSP_LEDGER'))
    .option('--contracts <dir>', "the catalog and contracts folder (it names the gateway whose key signs the ledger's heads)", 'contracts')
    .option('--head <file>', 'a signed head kept from before (lgsp ledger head): the ledger must still reach it')
    .action(async (options) => (await import('./commands/ledger.ts')).verifyLedger(options));
  ledgerCommand.command('head')
    .description("print the ledger's latest signed head, to keep elsewhere; verify --head checks the ledger still reaches it")
    .addOption(homeOption())
    .option('--file <path>', 'a ledger file (default: <home>/ledger.sqlite)')
    .action(async (options) => (await import('./commands/ledger.ts')).printHead(options));

  return program;
}
