/** The hostile suite at the HTTP door over the embedded transport: 500 generated requests. */
import { describe } from 'vitest';
import { embeddedBroker } from '../helpers/broker.ts';
import { hostileHttpSuite } from '../helpers/hostile-http-suite.ts';

describe('hostile requests at the HTTP door, embedded', () => hostileHttpSuite(() => embeddedBroker(), 500));
