import { describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { transportConformance } from '../helpers/transport-conformance.ts';

describeRabbit('RabbitMQ transport conformance', () => {
  transportConformance((limit, bounds) => rabbitBroker(limit, undefined, bounds));
});
