/** The population database's SOAP service over the embedded transport. */
import { embeddedBroker } from '../helpers/broker.ts';
import { dancuSoapSuite } from '../helpers/dancu-soap-suite.ts';

dancuSoapSuite(() => embeddedBroker());
