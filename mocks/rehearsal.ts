/**
 * A mock under test rehearsing what a conformance plan asks of it (`lgsp check --mock`): a
 * province's procedure system runs the named number of dossiers of one procedure to completion,
 * one after another, for applicants of its own province.
 */
import type { ProcedureKind } from './provincial/procedures.ts';
import { PROCEDURE_CODES } from './provincial/procedures.ts';
import type { Simulation } from './simulation.ts';

export interface Rehearsal {
  readonly procedure: string;
  readonly dossiers: number;
}

/** How `system`'s mock rehearses, or undefined when the simulation has no mock of it that acts as a client. */
export function rehearsalOf(sim: Simulation, system: string): ((r: Rehearsal) => Promise<void>) | undefined {
  const province = [...sim.provinces.values()].find((p) => p.system === system);
  if (!province) return undefined;
  const applicants = [...sim.data.citizens.values()].filter((c) => c.province === province.province.key);
  return async ({ procedure, dossiers }) => {
    if (!Object.hasOwn(PROCEDURE_CODES, procedure)) throw new Error(`a province's mock has no procedure "${procedure}" (${Object.keys(PROCEDURE_CODES).join(', ')})`);
    for (let i = 0; i < dossiers; i += 1) {
      await province.run({ procedure: procedure as ProcedureKind, outcome: 'completed', channel: 'online', digitised: true, applicant: applicants[i % applicants.length]! });
    }
  };
}
