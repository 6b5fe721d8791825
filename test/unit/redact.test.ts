import { describe, expect, it } from 'vitest';
import { safeUrl } from '../../cli/runtime.ts';
import { safePgUrl } from '../../gateway/ledger/postgres-db.ts';

describe('URLs shown without their passwords', () => {
  it('hides the password of each node of a cluster, and shows a placeholder for what is not a URL', () => {
    expect(safeUrl('amqp://lgsp:secret@node1:5672,amqp://lgsp:other@node2:5673')).toBe('amqp://lgsp:***@node1:5672,amqp://lgsp:***@node2:5673');
    expect(safeUrl('amqp://localhost')).toBe('amqp://localhost');
    expect(safeUrl('not a url')).toBe('amqp://…');
  });

  it('hides a PostgreSQL ledger URL\'s password', () => {
    expect(safePgUrl('postgres://lgsp:secret@127.0.0.1:5432/lgsp?schema=a')).toBe('postgres://lgsp:***@127.0.0.1:5432/lgsp?schema=a');
    expect(safePgUrl('not a url')).toBe('postgres://…');
  });
});
