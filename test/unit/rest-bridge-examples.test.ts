import { describe } from 'vitest';
import { embeddedBroker } from '../helpers/broker.ts';
import { examplesSuite } from '../helpers/examples-suite.ts';

// The same table as contract-examples.test.ts, with three national systems behind REST bridges.
describe('contract examples with DANCU, THUE and DKKD behind REST bridges', () => {
  examplesSuite(() => embeddedBroker(), { bridges: ['dancu.yaml', 'thue.yaml', 'dkkd.yaml'] });
});
