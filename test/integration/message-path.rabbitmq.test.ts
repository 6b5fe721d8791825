import { describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { messagePathSuite } from '../helpers/pipeline-suite.ts';

describeRabbit('message path over RabbitMQ', () => {
  messagePathSuite(() => rabbitBroker());
});
