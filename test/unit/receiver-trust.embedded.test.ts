/** Receivers trust only fresh, bound messages, over the embedded transport. */
import { describe } from 'vitest';
import { embeddedBroker } from '../helpers/broker.ts';
import { receiverTrustSuite } from '../helpers/receiver-trust-suite.ts';

describe('receivers over the embedded transport', () => receiverTrustSuite(() => embeddedBroker()));
