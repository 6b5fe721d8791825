import { describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { ingressSuite } from '../helpers/ingress-suite.ts';

describeRabbit('HTTP ingress over RabbitMQ', () => {
  ingressSuite(() => rabbitBroker());
});
