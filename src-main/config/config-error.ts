/**
 * A config file the gateway cannot run with. It is an input error (exit code 2): the message
 * names the file, the field and what is wrong with it, one line per problem.
 */

export interface ConfigProblem {
  /** Where in the file, e.g. "destinations[1].port"; empty for the file as a whole. */
  field: string;
  /** What is wrong, e.g. "must be a port number 1-65535, got 70000". */
  message: string;
}

export class ConfigError extends Error {
  /** The config file as the user named it. */
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(file: string, problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `${file}: ${p.field === '' ? '' : `${p.field}: `}${p.message}`).join('\n'));
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}
