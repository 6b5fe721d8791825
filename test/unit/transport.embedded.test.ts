import { describe } from 'vitest';
import { embeddedBroker } from '../helpers/broker.ts';
import { transportConformance } from '../helpers/transport-conformance.ts';

describe('embedded transport conformance', () => {
  transportConformance((limit, bounds) => embeddedBroker(limit, bounds));
});
