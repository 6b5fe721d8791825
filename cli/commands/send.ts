/**
 * `lgsp send`: one signed request (or event) as a given system, through a running gateway —
 * over RabbitMQ with an AMQP URL, else through the HTTP ingress of the `lgsp up` on this state
 * directory; prints the reply after verifying it end to end, and says which gateway answered.
 */
import { openCaller } from '../bus-caller.ts';
import { openRuntime, type CommonOptions } from '../runtime.ts';

export interface SendCommandOptions extends CommonOptions {
  as: string;
  userId?: string;
  issue?: string;
  timeout: number;
}

export async function send(service: string, body: string, options: SendCommandOptions): Promise<void> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error('the body must be a JSON object, e.g. \'{"idNumber":"004190000123","fullName":"Nông Thị Hoa","dateOfBirth":"1990-05-14"}\'');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the body must be a JSON object');
  const rt = await openRuntime(options, false, 'stderr', true);
  try {
    const entry = rt.catalog.services.get(service);
    if (!rt.catalog.systems.has(options.as)) throw new Error(`no system ${options.as} in the catalog`);
    const caller = await openCaller(rt, { system: options.as, amqpUrl: options.amqpUrl, timeoutMs: options.timeout, purpose: 'send' });
    process.stderr.write(`via ${caller.via}\n`);
    const sendOptions = { userId: options.userId, issue: options.issue };
    try {
      if (entry?.mode === 'event') {
        const id = await caller.sendEvent(service, parsed as Record<string, unknown>, sendOptions);
        process.stdout.write(`${JSON.stringify({ sent: 'event', id, note: 'events get no reply; errors come back to the sender' }, null, 2)}\n`);
        return;
      }
      const reply = await caller.request(service, parsed as Record<string, unknown>, sendOptions);
      const shown = {
        status: reply.status, signedBy: reply.signedBy, verified: true, transaction: reply.tx,
        ...(reply.status === 'ok' ? { body: reply.body } : { error: reply.error }),
      };
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      if (reply.status === 'error') process.exitCode = 3;
    } finally {
      await caller.close();
    }
  } finally {
    await rt.close();
  }
}
