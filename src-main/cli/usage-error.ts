/** Wrong or missing arguments: printed with the usage line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Input that cannot work (a certificate, a key, a file): printed on its own, exit code 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export const ExitCode = { Ok: 0, DicomFailure: 1, Usage: 2 } as const;
