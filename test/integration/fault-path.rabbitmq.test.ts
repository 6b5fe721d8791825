/** The message path under replays and faults, over RabbitMQ. */
import { describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { faultPathSuite } from '../helpers/fault-path-suite.ts';

describeRabbit('message path under faults, RabbitMQ', () => faultPathSuite(() => rabbitBroker()));
