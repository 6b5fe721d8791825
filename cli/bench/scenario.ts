/** The benchmark's scenario, shared by the command and its peer processes. */
export const CLIENT = 'VN/PROV/CAOBANG/MOTCUA';
export const PROVIDER = 'VN/GOV/BCA/DANCU';
export const SERVICE = `${PROVIDER}/citizen.verify/v1`;
export const BODY = { idNumber: '004190000123', fullName: 'Nông Thị Hoa', dateOfBirth: '1990-05-14' };

export interface RawPeerInput {
  url: string;
  queue: string;
  count: number;
  concurrency: number;
  payloadBytes: number;
}

export interface GatewayPeerInput {
  url: string;
  prefix: string;
  home: string;
  count: number;
  mode: PeerMode;
}

/** Closed loop (`concurrency` in flight; 1 is one at a time) or open loop (`rate` a second, whatever the answers do). */
export type PeerMode = { concurrency: number } | { rate: number };
