/**
 * The floor: the durable relay plus the work DESIGN lets no gateway skip, done with the gateway's
 * own code — the client's signature verified (`checkSignature`), the provider's
 * (`checkReplySignature`), and each transaction recorded in the ledger with its answer before the
 * answer is delivered. Nothing else: no envelope, clock, replay, access or contract check, no
 * attestation. What the gateway costs above it is what its other checks cost; what the floor
 * costs above the relay, no gateway that keeps DESIGN's guarantees can save.
 */
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import type { Ledger, TransactionRecord } from '../../gateway/ledger/ledger.ts';
import { checkSignature } from '../../gateway/pipeline/checks.ts';
import { newRecord } from '../../gateway/ledger/record.ts';
import { checkReplySignature } from '../../gateway/pipeline/reply-checks.ts';
import { decodeJws, sha256 } from '../../gateway/protocol/jws.ts';
import type { RelayWork } from './relay.ts';

export function floorWork(catalog: Catalog, ledger: Ledger, provider: string, instance: string): RelayWork<TransactionRecord> {
  return {
    async request(body) {
      const record = newRecord(randomUUID(), Date.now(), body.length, instance);
      const jws = body.toString();
      const decoded = decodeJws(jws);
      await checkSignature(decoded, catalog);
      // The record's fields as the gateway fills them, read unchecked: its indexes cost what they cost the gateway.
      const { id, client, service } = decoded.payload as { id: string; client: string; service: string };
      Object.assign(record, { messageId: id, kind: 'request', client, service, provider });
      record.requestHash = sha256(jws);
      record.requestOut = Date.now();
      return record;
    },
    async reply(body, record, answer) {
      record.responseIn = Date.now();
      await checkReplySignature(decodeJws(answer.jws), catalog, provider);
      record.responseSize = body.length;
      record.responseHash = sha256(answer.jws);
      record.responseOut = Date.now();
      await ledger.record(record, answer);
    },
  };
}
