/**
 * Progress on stderr: a bar redrawn in place when stderr is a terminal, a plain line every few seconds otherwise
 * (a log file or CI output should not fill with carriage returns). A dozen lines of our own rather than a
 * dependency: all it needs is one line of text and `\r`.
 */
import type { LoadTally } from './summary.ts';

/** One progress line: bar (by input bytes), percentage, resources, rate, errors. Pure. */
export function progressLine(tally: LoadTally, totalBytes: number, seconds: number, width = 30): string {
  const fraction = totalBytes > 0 ? Math.min(1, tally.bytesDone / totalBytes) : 0;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const rate = seconds > 0 ? Math.round(tally.stored / seconds) : 0;
  const n = (x: number) => x.toLocaleString('en-US');
  const errors = tally.errors.length ? `, ${n(tally.errors.length)} errors` : '';
  return `${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${n(tally.stored)} resources, ${n(tally.bundlesSent)} Bundles, ${n(rate)}/s${errors}`;
}

export interface Progress {
  /** Stops redrawing and writes the last line. */
  done(): void;
}

/** Redraws every 100 ms on a terminal, every 5 s otherwise, until `done()`. */
export function startProgress(stream: NodeJS.WriteStream, tally: LoadTally, totalBytes: number, started: number): Progress {
  const tty = stream.isTTY === true;
  const draw = () => {
    const line = progressLine(tally, totalBytes, (performance.now() - started) / 1000);
    stream.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  };
  const timer = setInterval(draw, tty ? 100 : 5_000);
  timer.unref();
  return {
    done() {
      clearInterval(timer);
      draw();
      if (tty) stream.write('\n');
    },
  };
}
