/** A file that cannot be used as DICOM Part-10 input; the message names the file and the reason. */
export class P10FormatError extends Error {
  readonly source: string;
  constructor(source: string, reason: string) {
    super(`${source}: ${reason}`);
    this.name = 'P10FormatError';
    this.source = source;
  }
}
