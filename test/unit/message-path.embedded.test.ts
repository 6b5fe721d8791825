import { describe } from 'vitest';
import { embeddedBroker } from '../helpers/broker.ts';
import { messagePathSuite } from '../helpers/pipeline-suite.ts';

describe('message path over the embedded transport', () => {
  messagePathSuite(() => embeddedBroker());
});
