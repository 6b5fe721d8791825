/** A gateway killed between recording and delivering an answer, over RabbitMQ. */
import { describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { killBetweenSuite } from '../helpers/kill-between-suite.ts';

describeRabbit('a gateway killed between record and delivery, RabbitMQ', () => killBetweenSuite(() => rabbitBroker()));
