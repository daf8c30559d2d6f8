/**
 * Logging with winston: text for people on stderr (colour only on a terminal), and optionally a
 * log file, JSON lines by default. Every entry passes through the redactor first. Logs never go to
 * stdout, which stays free for data.
 */
import winston from 'winston';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { ConfigError } from '../errors.js';
import type { LogFormat, LogLevel } from '../options.js';
import { redactor } from './redact.js';

/** The logger type used across the program. */
export type Logger = winston.Logger;

/** Where and how to log. */
export interface LoggerOptions {
  readonly level: LogLevel;
  readonly stderr: Writable & { isTTY?: boolean };
  readonly file?: string | undefined;
  readonly fileFormat?: LogFormat | undefined;
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    const value = info[key];
    if (value !== null && value !== undefined && typeof value !== 'number' && typeof value !== 'boolean') {
      info[key] = redactor.redactDeep(value);
    }
  }
  return info;
});

/**
 * One line of text per entry: `level: message (key=value …)`, with only the fields that are set.
 * `stamped` puts the entry's ISO time stamp first: a log file is read later, stderr as it happens.
 */
function textLine(colour: boolean, stamped: boolean): winston.Logform.Format {
  return winston.format.combine(
    ...(colour ? [winston.format.colorize({ level: true })] : []),
    winston.format.printf((info) => {
      const { level, message, timestamp, ...meta } = info;
      const extra = Object.entries(meta)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      const stamp = stamped && typeof timestamp === 'string' ? `${timestamp} ` : '';
      return `${stamp}${level}: ${String(message)}${extra ? ` (${extra})` : ''}`;
    }),
  );
}

/** Each logger's log file stream, to be ended by `closeLogger`. */
const logFiles = new WeakMap<Logger, WriteStream>();

/**
 * A logger writing text to `stderr` and, if asked, to a file. The file is winston's Stream
 * transport over our own append stream, not winston's File transport: that one ignores its
 * file's write errors (a full disk) and then stalls every transport, stderr included, and never
 * finishes. Here a file that stops taking lines is dropped with a warning, and stderr goes on.
 */
export function createLogger(options: LoggerOptions): Logger {
  const transports: winston.transport[] = [
    new winston.transports.Stream({
      stream: options.stderr,
      format: textLine(options.stderr.isTTY === true, false),
    }),
  ];
  const file = options.file === undefined ? undefined : createWriteStream(options.file, { flags: 'a' });
  const fileTransport =
    file &&
    new winston.transports.Stream({
      stream: file,
      format:
        options.fileFormat === 'text'
          ? winston.format.combine(winston.format.timestamp(), textLine(false, true))
          : winston.format.combine(winston.format.timestamp(), winston.format.json()),
    });
  if (fileTransport) transports.push(fileTransport);
  const logger = winston.createLogger({ level: options.level, format: redactFormat(), transports });
  if (file && fileTransport) {
    logFiles.set(logger, file);
    file.once('error', (error) => {
      logger.remove(fileTransport);
      options.stderr.write(
        `cloudcockpit-bulk: warning: the log file ${options.file} cannot be written (${error.message}); logging goes on here only\n`,
      );
    });
  }
  return logger;
}

/** Refuse, before anything is sent, a log file that could not be written (a folder, no permission). */
export async function checkLogFile(file: string): Promise<void> {
  try {
    await (await open(file, 'a')).close();
  } catch (error) {
    throw new ConfigError(
      `Cannot write the log file ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}); nothing was sent`,
    );
  }
}

/** Wait until the log has written what it was given, the log file included (call before exiting). */
export async function closeLogger(logger: Logger): Promise<void> {
  await new Promise<void>((resolve) => {
    logger.on('finish', () => resolve());
    logger.end();
  });
  const file = logFiles.get(logger);
  if (!file || file.destroyed) return;
  await new Promise<void>((resolve) => {
    file.once('close', () => resolve());
    file.end();
  });
}
