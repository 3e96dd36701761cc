/** A dataset that cannot be transcoded; the message names the source, the syntaxes and the reason. */
export class TranscodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TranscodeError';
  }
}
