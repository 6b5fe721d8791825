/**
 * A RabbitMQ node of a suite's own, on this machine: its own node name, ports, database and logs
 * in a temporary directory, so that a suite may restart it or change its listeners without
 * touching anybody else's broker. Needs `rabbitmq-server` installed (CI's `.ci/run` does it).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeNeeding } from './needs.ts';

const run = promisify(execFile);

export interface RabbitNode {
  readonly name: string;
  /** amqp://guest:guest@localhost:<port> */
  readonly url: string;
  /** amqps://guest:guest@localhost:<port>, when started with TLS. */
  readonly tlsUrl?: string;
  /** Stops the broker application and starts it again (every connection drops; durable queues stay). */
  restart(): Promise<void>;
  /** Stops the broker application only (the node leaves service; its Erlang runtime stays for `startApp`). */
  stopApp(): Promise<void>;
  /** Kills the node's runtime at once (SIGKILL, as a crash would), then starts it again on the same data. */
  killAndStart(): Promise<void>;
  startApp(): Promise<void>;
  stop(): Promise<void>;
}

/** True when this machine can start a RabbitMQ node of a test's own. */
export function canStartRabbitNode(): boolean {
  return existsSync('/usr/sbin/rabbitmq-server') || existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server');
}

/**
 * `describe` for a suite that starts RabbitMQ nodes of its own: runs where rabbitmq-server is
 * installed, fails under CI=true without it, and is otherwise skipped with a notice saying why.
 */
export function describeOwnRabbit(name: string, body: () => void): void {
  describeNeeding({
    available: canStartRabbitNode(),
    inCi: 'CI=true but rabbitmq-server is not installed: this suite starts RabbitMQ nodes of its own (see .ci/run)',
    notice: 'rabbitmq-server is not installed here — this suite starts RabbitMQ nodes of its own (apt-get install rabbitmq-server).',
    missing: 'rabbitmq-server not installed',
    placeholder: 'needs rabbitmq-server',
  }, name, body);
}

/**
 * A port that is free now and that no outgoing connection will take before the node binds it:
 * picked below the kernel's ephemeral range (where port 0 and every client socket draw theirs),
 * so a suite's thousands of connections cannot race the node for it.
 */
async function freePort(taken: number[] = []): Promise<number> {
  const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0] ?? 32768);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (low - 10_000));
    if (!taken.includes(port) && (await bindable(port))) return port;
  }
  throw new Error(`no free port found below ${low} in 100 tries`);
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, () => s.close(() => resolve(true))); // every address, as the node binds it
  });
}

/** Runs rabbitmqctl against this node only. */
function ctl(node: string, ...args: string[]): Promise<unknown> {
  return run('rabbitmqctl', ['-n', node, ...args], { timeout: 120_000 });
}

/**
 * Waits for the node to boot: `-detached` returns before the node has even registered, and
 * await_startup fails at once until it has. Bounded: 60 tries, a second apart; a node whose
 * runtime has exited (a port it could not bind) is given up on at once.
 */
async function awaitStartup(node: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ctl(node, 'await_startup', '--timeout', '10');
      return;
    } catch (err) {
      if (attempt >= 60) throw new Error(`RabbitMQ node ${node} did not start in 60 tries`, { cause: err });
      if (attempt >= 3 && !runtimeAlive(node)) throw new Error(`RabbitMQ node ${node} exited while starting`, { cause: err });
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/**
 * Whether an Erlang runtime started for this node is still running: the node's name is in no
 * command line, so it is looked for in the environment `rabbitmq-server` gave the runtime.
 */
function runtimeAlive(node: string): boolean {
  const wanted = `RABBITMQ_NODENAME=${node}`;
  for (const pid of readdirSync('/proc').filter((f) => /^\d+$/.test(f))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(wanted)) return true;
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return false;
}

/**
 * Starts a node; with `tls` (the files of ensureTls), also an `amqps://` listener that presents
 * that certificate. The node runs as the `rabbitmq` user when started by root, so its directory is
 * handed to that user.
 */
export async function startRabbitNode(options: { tls?: { ca: string; cert: string; key: string } } = {}): Promise<RabbitNode> {
  // A node that dies at boot (a port taken after all, a loaded machine's slow disk) is started
  // afresh with new ports and a new name: three tries, each failure's own log kept for the last error.
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'lgsp-rabbit-'));
    try {
      return await bootRabbitNode(dir, options);
    } catch (err) {
      failures.push(`try ${attempt}: ${(err as Error).message}\n${logTail(dir)}`);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  throw new Error(`RabbitMQ node did not start in three tries:\n${failures.join('\n')}`);
}

/** A node's logged errors and last lines, to say why it did not start. */
function logTail(dir: string): string {
  const logs = join(dir, 'log');
  if (!existsSync(logs)) return '(no log written)';
  return readdirSync(logs).filter((f) => f.endsWith('.log')).map((f) => {
    const lines = readFileSync(join(logs, f), 'utf8').trimEnd().split('\n');
    const errors = lines.filter((l) => /\[(error|critical)\]/.test(l)).slice(0, 10);
    return `--- ${f}\n${[...errors, '…', ...lines.slice(-3)].join('\n')}`;
  }).join('\n') || '(log directory empty)';
}

async function bootRabbitNode(dir: string, options: { tls?: { ca: string; cert: string; key: string } }): Promise<RabbitNode> {
  const name = `lgsp-t${randomBytes(4).toString('hex')}@${hostname().split('.')[0]}`;
  const port = await freePort();
  const distPort = await freePort([port]);
  const tlsPort = await freePort([port, distPort]);
  const conf = ['loopback_users = none']; // the plain port comes from RABBITMQ_NODE_PORT
  if (options.tls) {
    for (const [from, to] of [[options.tls.ca, 'ca.pem'], [options.tls.cert, 'server.pem'], [options.tls.key, 'server.key']] as const) cpSync(from, join(dir, to));
    conf.push(
      `listeners.ssl.default = ${tlsPort}`, `ssl_options.cacertfile = ${join(dir, 'ca.pem')}`, `ssl_options.certfile = ${join(dir, 'server.pem')}`,
      `ssl_options.keyfile = ${join(dir, 'server.key')}`, 'ssl_options.verify = verify_none', 'ssl_options.fail_if_no_peer_cert = false',
    );
  }
  writeFileSync(join(dir, 'rabbitmq.conf'), `${conf.join('\n')}\n`);
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n'); // none: the management plugin's port belongs to the machine's own node
  if (userInfo().uid === 0) chownTree(dir);
  const env = {
    ...process.env, RABBITMQ_NODENAME: name, RABBITMQ_NODE_PORT: String(port), RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'), RABBITMQ_LOG_BASE: join(dir, 'log'), RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'), RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
  };
  await run('rabbitmq-server', ['-detached'], { env, timeout: 60_000 });
  try {
    await awaitStartup(name);
  } catch (err) {
    await ctl(name, 'stop').catch(() => undefined); // in case it is half up
    throw err;
  }
  let stopped = false;
  const killAndStart = async () => {
    const pid = Number(readFileSync(join(dir, 'rabbit.pid'), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
    // Gone once signal 0 fails; bounded: 100 tries, 100 ms apart.
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await run('rabbitmq-server', ['-detached'], { env, timeout: 60_000 });
    await awaitStartup(name);
  };
  const stopApp = async () => {
    await ctl(name, 'stop_app');
  };
  const startApp = async () => {
    await ctl(name, 'start_app');
    await awaitStartup(name);
  };
  return {
    name,
    url: `amqp://guest:guest@localhost:${port}`,
    tlsUrl: options.tls ? `amqps://guest:guest@localhost:${tlsPort}` : undefined,
    async restart() {
      await stopApp();
      await startApp();
    },
    stopApp,
    startApp,
    killAndStart,
    async stop() {
      if (stopped) return;
      stopped = true;
      await ctl(name, 'stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function chownTree(dir: string): void {
  const { uid, gid } = rabbitmqUser();
  for (const path of [dir, ...['rabbitmq.conf', 'enabled_plugins', 'ca.pem', 'server.pem', 'server.key'].map((f) => join(dir, f))]) {
    if (existsSync(path)) chownSync(path, uid, gid);
  }
}

function rabbitmqUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'rabbitmq'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * A RabbitMQ cluster of `size` nodes of the suite's own on this machine (each its own node name,
 * ports, database and logs), the others joined to the first. Queues declared afterwards are
 * replicated on every node (a quorum queue's members are the cluster's nodes).
 */
export async function startRabbitCluster(size: number): Promise<RabbitNode[]> {
  const nodes = await Promise.all(Array.from({ length: size }, () => startRabbitNode()));
  try {
    for (const node of nodes.slice(1)) {
      await ctl(node.name, 'stop_app');
      await ctl(node.name, 'reset');
      await ctl(node.name, 'join_cluster', nodes[0]!.name);
      await ctl(node.name, 'start_app');
      await awaitStartup(node.name);
    }
  } catch (err) {
    for (const node of nodes) await node.stop();
    throw err;
  }
  return nodes;
}

/** The quorum queues whose names start with `prefix`, with their members, as `node` sees them. */
export async function quorumMembers(node: RabbitNode, prefix: string): Promise<Map<string, string[]>> {
  const { stdout } = await run('rabbitmqctl', ['-n', node.name, 'list_queues', 'name', 'type', 'members', '--formatter', 'json', '-q'], { timeout: 60_000 });
  const rows = JSON.parse(stdout) as { name: string; type: string; members: string[] }[];
  return new Map(rows.filter((r) => r.name.startsWith(prefix) && r.type === 'quorum').map((r) => [r.name, [...r.members].sort()]));
}
