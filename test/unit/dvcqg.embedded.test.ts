/** The national portal's adapter facade over the embedded transport. */
import { embeddedBroker } from '../helpers/broker.ts';
import { dvcqgSuite } from '../helpers/dvcqg-suite.ts';

dvcqgSuite(() => embeddedBroker());
