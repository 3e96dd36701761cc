/**
 * Failures the engine expects and can explain: each carries the words for the person at the UI
 * (`words`) beside its own message for the admin and the log. The API host passes the words on
 * as they are (gateway-api.ts), so no one matches the message text to guess what went wrong.
 */
export class GatewayError extends Error {
  readonly words: string;
  constructor(words: string, message: string) {
    super(message);
    this.name = 'GatewayError';
    this.words = words;
  }
}

export class UnknownInstanceError extends GatewayError {
  constructor(instanceId: number) {
    super('That image is no longer in the store.', `no stored instance with id ${instanceId}`);
    this.name = 'UnknownInstanceError';
  }
}

export class UnknownDestinationError extends GatewayError {
  constructor(destination: string) {
    super('That destination does not exist (any more).', `no destination named "${destination}"`);
    this.name = 'UnknownDestinationError';
  }
}
