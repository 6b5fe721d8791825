import { describe } from 'vitest';
import { embeddedBroker } from '../helpers/broker.ts';
import { examplesSuite } from '../helpers/examples-suite.ts';

describe('contract examples through the gateway, over the embedded transport', () => {
  examplesSuite(() => embeddedBroker());
});
