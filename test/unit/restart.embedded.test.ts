import { describe } from 'vitest';
import { embeddedBroker } from '../helpers/broker.ts';
import { restartSuite } from '../helpers/restart-suite.ts';

describe('gateway restart over the embedded transport', () => {
  restartSuite(() => embeddedBroker());
});
