/** The national portal's adapter facade over RabbitMQ. */
import { describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { dvcqgSuite } from '../helpers/dvcqg-suite.ts';

describeRabbit('the DVCQG adapter facade over RabbitMQ', () => dvcqgSuite(() => rabbitBroker()));
