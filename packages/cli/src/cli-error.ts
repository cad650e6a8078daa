/** A failure the user can act on: printed as one line, no stack, with its exit code. */
export class CliError extends Error {
  readonly code = 'ERR_CDNLAB_CLI';

  constructor(
    message: string,
    /** 1: the operation failed; 2: the command line was wrong. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
