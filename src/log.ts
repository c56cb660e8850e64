/**
 * Logging through consola: readable lines on a terminal, one JSON object per line with
 * `--log-format json` (journald, log shippers). Only commands create a logger; the core
 * receives one and never prints on its own.
 */
import { createConsola, LogLevels, type ConsolaInstance, type LogObject } from "consola/core";

export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  /** Whether messages of `level` are written; lets a caller skip building lines nobody reads. Absent: assume they are. */
  enabled?(level: LogLevel): boolean;
}

export type LogFormat = "text" | "json";
export type LogLevel = "error" | "warn" | "info" | "debug";

/** A logger that drops everything; the default for core functions called from tests. */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** The format of the log this process writes to standard error, once a command opened it. */
let processLogFormat: LogFormat = "text";

/**
 * The format asked for on the command line or in the environment, before any setting is read:
 * a setting refused at start-up (the service's most common failure) is then told in the
 * journal's format too. The program's edge calls this; `.env` is read later, with the settings.
 */
export function expectLogFormat(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): LogFormat {
  const i = argv.indexOf("--log-format");
  const flag = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith("--log-format="))?.slice("--log-format=".length);
  processLogFormat = (flag ?? env.NIGHTOWL_LOG_FORMAT) === "json" ? "json" : "text";
  return processLogFormat;
}

export function createLogger(options: { format: LogFormat; level: LogLevel; write?: (line: string) => void }): Logger {
  if (!options.write) processLogFormat = options.format;
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const consola: ConsolaInstance = createConsola({
    level: LogLevels[options.level],
    reporters: [
      {
        log(entry: LogObject) {
          const [message, fields] = entry.args as [string, Record<string, unknown> | undefined];
          if (options.format === "json") {
            write(JSON.stringify({ time: entry.date.toISOString(), level: entry.type, msg: message, ...fields }) + "\n");
          } else {
            const extra = fields && Object.keys(fields).length ? " " + Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ") : "";
            write(`${entry.date.toISOString()} [${entry.type.toUpperCase()}] ${escapeControl(message + extra)}\n`);
          }
        },
      },
    ],
  });
  return {
    error: (m, f) => consola.error(m, f),
    warn: (m, f) => consola.warn(m, f),
    info: (m, f) => consola.info(m, f),
    debug: (m, f) => consola.debug(m, f),
    enabled: (level) => consola.level >= LogLevels[level],
  };
}

/**
 * The one line a command's failure ends with, on standard error: `nightowl: …` as a person
 * reads it, or, when the log is JSON (the systemd unit's journal), one more JSON object so a
 * log shipper does not meet a line it cannot parse at the moment that matters most.
 */
export function fatalLine(message: string, format: LogFormat = processLogFormat, stack?: string): string {
  if (format === "json") return JSON.stringify({ time: new Date().toISOString(), level: "fatal", msg: message, ...(stack ? { stack } : {}) }) + "\n";
  return `nightowl: ${escapeControl(message)}\n${stack ? `${stack}\n` : ""}`;
}

/**
 * `text` with control characters (C0, DEL, C1, the Unicode line and paragraph separators, and
 * the bidirectional overrides and isolates) written as escapes (`\n`, `\x1b`, `\u202e`): a
 * device name from the portal holding a line break must not start a forged line of its own, an
 * escape sequence repaint the terminal, nor a right-to-left override disguise what a line says.
 */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\x${code.toString(16).padStart(2, "0")}`;
  });
}

/** The first characters of a token, enough to tell two apart, never enough to use one. */
export function maskToken(token: string): string {
  return token.length <= 8 ? "***" : `${token.slice(0, 8)}...`;
}
