/** The bus's per-client rate limit over the embedded transport. */
import { describe } from 'vitest';
import { embeddedBroker } from '../helpers/broker.ts';
import { busLimitsSuite } from '../helpers/bus-limits-suite.ts';

describe('rate limits on the bus, embedded', () => busLimitsSuite(() => embeddedBroker()));
