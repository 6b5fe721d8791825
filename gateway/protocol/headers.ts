/**
 * The AMQP headers a sender may set on what it hands the gateway (docs/protocol.md §5), besides
 * the message's own properties.
 */

/** `wanted`: the sender of an event asks for the gateway's signed receipt once it is forwarded and recorded. */
export const RECEIPT_HEADER = 'x-lgsp-receipt';

/**
 * The HTTP door that hands a caller's message over, by its name: the gateway answers, but does
 * not record, what it refuses before a signature vouched for that caller (pipeline/publishers.ts).
 */
export const DOOR_HEADER = 'x-lgsp-door';
