import assert from 'node:assert/strict';
import { createLogger, stackFrames } from './logger.ts';

describe('logger', () => {
  it('writes one JSON object per line at or above its level', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', (l) => lines.push(l));
    logger.info('not written');
    logger.error('written', { requestId: 'r1' });
    assert.equal(lines.length, 1);
    assert.deepEqual({ ...JSON.parse(lines[0]!), time: undefined }, { time: undefined, level: 'error', msg: 'written', requestId: 'r1' });
  });

  it("logs where an error was thrown without its message, which may quote a request's data", () => {
    const err = new Error("no Patient with family 'Doe'\nand a second line");
    const frames = stackFrames(err)!;
    assert.match(frames, /^\s+at /);
    assert.doesNotMatch(frames, /Doe|second line/);
    assert.equal(stackFrames('not an error'), undefined);
  });
});
