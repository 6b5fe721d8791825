/** A provincial LGSP's token endpoint and document APIs over RabbitMQ. */
import { describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { lgspSuite } from '../helpers/lgsp-suite.ts';

describeRabbit('the LGSP token and document APIs over RabbitMQ', () => lgspSuite(() => rabbitBroker()));
