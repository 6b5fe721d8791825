import { describe } from 'vitest';
import { embeddedBroker } from '../helpers/broker.ts';
import { ingressSuite } from '../helpers/ingress-suite.ts';

describe('HTTP ingress over the embedded transport', () => {
  ingressSuite(() => embeddedBroker());
});
