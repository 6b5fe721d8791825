/** Receivers trust only fresh, bound messages, over RabbitMQ. */
import { describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { receiverTrustSuite } from '../helpers/receiver-trust-suite.ts';

describeRabbit('receivers over RabbitMQ', () => receiverTrustSuite(() => rabbitBroker()));
