import { describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { transportConformance } from '../helpers/transport-conformance.ts';

describeRabbit('RabbitMQ transport conformance', () => {
  transportConformance((limit, deadLetterMax) => rabbitBroker(limit, undefined, { deadLetterMax }));
});
