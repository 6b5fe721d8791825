/** The hostile suite at the HTTP door over RabbitMQ: 500 generated requests. */
import { describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { hostileHttpSuite } from '../helpers/hostile-http-suite.ts';

describeRabbit('hostile requests at the HTTP door, RabbitMQ', () => hostileHttpSuite(() => rabbitBroker(), 500));
