/** The hostile suite over RabbitMQ: 2,000 generated attacks on the bus. */
import { describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { hostileSuite } from '../helpers/hostile-suite.ts';

describeRabbit('hostile messages on the bus, RabbitMQ', () => hostileSuite(() => rabbitBroker(), 2000));
