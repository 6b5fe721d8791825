/** The message path under replays and faults, over the embedded transport. */
import { describe } from 'vitest';
import { embeddedBroker } from '../helpers/broker.ts';
import { faultPathSuite } from '../helpers/fault-path-suite.ts';

describe('message path under faults, embedded', () => faultPathSuite(() => embeddedBroker()));
