/** The population database's SOAP service over RabbitMQ. */
import { describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { dancuSoapSuite } from '../helpers/dancu-soap-suite.ts';

describeRabbit('the population database SOAP service over RabbitMQ', () => dancuSoapSuite(() => rabbitBroker()));
