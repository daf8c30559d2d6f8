/**
 * Logging with winston: text for people on stderr (colour only on a terminal), and optionally a
 * log file, JSON lines by default. Every entry passes through the redactor first. Logs never go to
 * stdout, which stays free for data.
 */
import winston from 'winston';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { ConfigError } from './errors.js';
import type { LogFormat, LogLevel } from './options.js';
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

function textLine(colour: boolean): winston.Logform.Format {
  return winston.format.combine(
    ...(colour ? [winston.format.colorize({ level: true })] : []),
    winston.format.printf((info) => {
      const { level, message, timestamp: _t, ...meta } = info;
      const extra = Object.entries(meta)
        .filter(([k]) => typeof k === 'string')
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      return `${level}: ${String(message)}${extra ? ` (${extra})` : ''}`;
    }),
  );
}

/** A logger writing text to `stderr` and, if asked, to a file. */
export function createLogger(options: LoggerOptions): Logger {
  const transports: winston.transport[] = [
    new winston.transports.Stream({
      stream: options.stderr,
      format: textLine(options.stderr.isTTY === true),
    }),
  ];
  if (options.file !== undefined) {
    transports.push(
      new winston.transports.File({
        filename: options.file,
        format:
          options.fileFormat === 'text'
            ? winston.format.combine(winston.format.timestamp(), textLine(false))
            : winston.format.combine(winston.format.timestamp(), winston.format.json()),
      }),
    );
  }
  const logger = winston.createLogger({ level: options.level, format: redactFormat(), transports });
  // A log file that stops taking lines (a full disk) must not end the run: stderr goes on.
  logger.on('error', (error: Error, transport: unknown) => {
    if (!(transport instanceof winston.transports.File)) return;
    logger.remove(transport);
    options.stderr.write(
      `cloudcockpit-bulk: warning: the log file ${options.file} cannot be written (${error.message}); logging goes on here only\n`,
    );
  });
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

/** Wait until every transport has written what it was given (call before exiting). */
export async function closeLogger(logger: Logger): Promise<void> {
  await new Promise<void>((resolve) => {
    logger.on('finish', () => resolve());
    logger.end();
  });
  // The file transport finishes its own stream slightly after the logger's 'finish'.
  await Promise.all(
    logger.transports
      .filter((t): t is winston.transports.FileTransportInstance => t instanceof winston.transports.File)
      .map((t) => new Promise<void>((resolve) => (t.writable ? t.on('finish', () => resolve()) : resolve()))),
  );
}
