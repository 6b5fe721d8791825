/** A gateway killed between recording and delivering an answer, over the embedded transport. */
import { describe } from 'vitest';
import { embeddedBroker } from '../helpers/broker.ts';
import { killBetweenSuite } from '../helpers/kill-between-suite.ts';

describe('a gateway killed between record and delivery, embedded', () => killBetweenSuite(() => embeddedBroker()));
