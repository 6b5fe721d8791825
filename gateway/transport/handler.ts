import type { Delivery, DeliveryHandler } from './transport.ts';

/**
 * Runs a consumer's handler for one delivery. A handler that throws has not dealt with the
 * message: it goes back to the queue, counted toward the delivery limit, so a poison message
 * ends in the dead-letter queue instead of looping or being lost.
 */
export function runHandler(handler: DeliveryHandler, delivery: Delivery): void {
  let result: void | Promise<void>;
  try {
    result = handler(delivery);
  } catch {
    delivery.nack(true);
    return;
  }
  if (result && typeof result.then === 'function') result.then(undefined, () => delivery.nack(true));
}
