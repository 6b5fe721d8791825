import { describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { examplesSuite } from '../helpers/examples-suite.ts';

describeRabbit('contract examples through the gateway, over RabbitMQ', () => {
  examplesSuite(() => rabbitBroker());
});
