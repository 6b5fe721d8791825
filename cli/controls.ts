/**
 * The simulator's controls on the operator server of `lgsp up`: fault profiles switched on and
 * off while it runs, and an officer approving pending refunds.
 */
import express from 'express';
import { FAULT_PROFILES, type FaultController } from '../mocks/faults.ts';
import type { Simulation } from '../mocks/simulation.ts';

/** The profiles whose every fault is on now. */
function activeProfiles(faults: FaultController): string[] {
  return Object.entries(FAULT_PROFILES)
    .filter(([, p]) => Object.entries(p.systems).every(([system, f]) => Object.keys(f).every((k) => k in faults.get(system))))
    .map(([name]) => name);
}

export function simulatorControls(faults: FaultController, sim: () => Simulation | undefined): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '16kb' }));
  router.get('/api/faults', (_req, res) => void res.json({
    active: faults.snapshot(),
    activeProfiles: activeProfiles(faults),
    profiles: Object.fromEntries(Object.entries(FAULT_PROFILES).map(([name, p]) => [name, p.description])),
  }));
  router.put('/api/faults/:profile', (req, res) => {
    if (!Object.hasOwn(FAULT_PROFILES, req.params.profile)) return void res.status(404).json({ error: `no fault profile ${req.params.profile}` });
    faults.apply(req.params.profile);
    res.json({ active: faults.snapshot() });
  });
  router.delete('/api/faults', (_req, res) => {
    faults.clear();
    res.json({ active: faults.snapshot() });
  });
  router.post('/api/refunds/:paymentRef/approve', (req, res) => {
    const ok = sim()?.national.portal.approveRefund(req.params.paymentRef) ?? false;
    res.status(ok ? 200 : 404).json(ok ? { paymentRef: req.params.paymentRef, status: 'refunded' } : { error: 'no pending refund with this reference' });
  });
  return router;
}
