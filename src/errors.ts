/**
 * The one error type the core throws. Commands turn it into a single line and an exit code;
 * anything else is a bug and prints its stack.
 */
export type ErrorCode =
  | "E_USAGE" // a flag or argument is wrong
  | "E_CONFIG" // a setting is missing or out of range
  | "E_AUTH" // the portal refused the credentials
  | "E_HTTP" // the portal (or Prometheus) answered with an error or not at all
  | "E_PARSE" // a response or a file is not of the expected shape
  | "E_MODEL" // a model file is missing, corrupt or of another version
  | "E_DATA" // input data is malformed (history CSV, a time range)
  | "E_IO"; // a file could not be read or written

export class NightowlError extends Error {
  readonly code: ErrorCode;
  /** The exit code when it is not the code's usual one (128 + N after signal N, as shells expect). */
  readonly exitCode?: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options);
    this.name = "NightowlError";
    this.code = code;
    if (options?.exitCode !== undefined) this.exitCode = options.exitCode;
  }
}

/**
 * 2 for mistakes the user fixes in the command line or configuration, 1 for runtime
 * failures, or the error's own exit code (130 after Ctrl-C).
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof NightowlError) {
    if (error.exitCode !== undefined) return error.exitCode;
    return error.code === "E_USAGE" || error.code === "E_CONFIG" ? 2 : 1;
  }
  return 1;
}

/** The shells' exit code for a process stopped by `signal`: 128 + its number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  const number = ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as Partial<Record<NodeJS.Signals, number>>)[signal];
  return number === undefined ? 1 : 128 + number;
}

export function isNightowlError(error: unknown, code?: ErrorCode): error is NightowlError {
  return error instanceof NightowlError && (code === undefined || error.code === code);
}

/** One line for a log: a NightowlError's message, or the error's name and message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.name === "NightowlError" || error.name === "Error" ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}
