/** A provincial LGSP's token endpoint and document APIs over the embedded transport. */
import { embeddedBroker } from '../helpers/broker.ts';
import { lgspSuite } from '../helpers/lgsp-suite.ts';

lgspSuite(() => embeddedBroker());
