/** The bus's per-client rate limit over RabbitMQ. */
import { busLimitsSuite } from '../helpers/bus-limits-suite.ts';
import { describeRabbit, rabbitBroker } from '../helpers/broker.ts';

describeRabbit('rate limits on the bus, RabbitMQ', () => busLimitsSuite(() => rabbitBroker()));
