/** The hostile suite over the embedded transport: 2,000 generated attacks on the bus. */
import { describe } from 'vitest';
import { embeddedBroker } from '../helpers/broker.ts';
import { hostileSuite } from '../helpers/hostile-suite.ts';

describe('hostile messages on the bus, embedded', () => hostileSuite(() => embeddedBroker(), 2000));
