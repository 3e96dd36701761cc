/** Wrong or missing arguments: printed with the usage line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const ExitCode = { Ok: 0, DicomFailure: 1, Usage: 2 } as const;
