/**
 * The National Public Service Portal (VN/GOV/VPCP/DVCQG) as a mock provider: takes the
 * `dossier.sync/v1` events provinces send at reception and keeps a count per province.
 */
import type { Handler } from '../../adapters/amqp/provider.ts';

export const DVCQG = 'VN/GOV/VPCP/DVCQG';

export interface PortalState {
  /** Dossiers reported, by reporting system. */
  readonly received: Map<string, number>;
}

export function dvcqgHandlers(state: PortalState): Record<string, Handler> {
  return {
    'dossier.sync/v1': ({ client }) => {
      state.received.set(client, (state.received.get(client) ?? 0) + 1);
    },
  };
}
