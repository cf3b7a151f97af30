/**
 * `npm run hl7:send -- <file|folder> [--host H] [--port P]`: sends each message file (one message per file,
 * segments on separate lines) over MLLP with CR segment separators, one after another, printing each ACK.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MllpClient } from '../testing/mllp-client.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args.splice(i, 2)[1] ?? fallback) : fallback;
};
const host = option('host', process.env.MLLP_HOST || '127.0.0.1');
const port = Number(option('port', process.env.MLLP_PORT || '2575'));
const target = args[0];
if (!target) {
  console.error('usage: npm run hl7:send -- <file|folder> [--host H] [--port P]');
  process.exit(2);
}
const files = statSync(target).isDirectory()
  ? readdirSync(target)
      .filter((f) => !f.startsWith('.'))
      .sort()
      .map((f) => join(target, f))
      .filter((f) => statSync(f).isFile())
  : [target];
const client = await MllpClient.connect(port, host);
for (const file of files) {
  const bytes = readFileSync(file);
  const lines = bytes
    .toString('latin1')
    .split(/\r\n|\r|\n/)
    .filter((l) => l.trim() !== '');
  // latin1 round-trips bytes, so a file in any character set is sent exactly as written (MSH-18 says which).
  const ack = await client.request(Buffer.from(lines.join('\r'), 'latin1'));
  console.log(`# ${file}\n${ack.split('\r').join('\n')}\n`);
}
client.close();
