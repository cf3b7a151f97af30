/**
 * The MLLP listener on MLLP_HOST:MLLP_PORT. Until the HL7 v2 mapping lands (issue 5), every message is
 * answered with an application reject (AR) whose ERR segment says the message type is not supported yet,
 * so a sender never waits for an ACK that will not come and never believes a message was applied.
 */
import net from 'node:net';
import type { Config } from '../server/config.ts';
import type { Logger } from '../server/logger.ts';
import { frame, MllpDecoder } from './mllp-framing.ts';

const MAX_MESSAGE_BYTES = 20 * 1024 * 1024;

export function startMllpServer(config: Config, logger: Logger): Promise<net.Server> {
  const server = net.createServer((socket) => {
    const peer = socket.remoteAddress ?? '';
    if (config.mllpAllow.length > 0 && !config.mllpAllow.includes(peer.replace(/^::ffff:/, ''))) {
      logger.warn('mllp peer refused', { peer });
      socket.destroy();
      return;
    }
    const decoder = new MllpDecoder(MAX_MESSAGE_BYTES);
    socket.setTimeout(5 * 60_000, () => socket.end());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      const { frames } = decoder.push(chunk);
      for (const message of frames) socket.write(frame(reject(message.toString('latin1'))));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.mllpPort, config.mllpHost, () => resolve(server));
  });
}

/** An AR acknowledgement for a message we do not process yet (HL7 table 0357 code 200: unsupported message type). */
function reject(message: string): string {
  const msh = message.split(/\r\n|\r|\n/)[0] ?? '';
  const fieldSeparator = msh.startsWith('MSH') && msh.length > 3 ? msh[3] : '|';
  const fields = msh.split(fieldSeparator);
  const encoding = fields[1] || '^~\\&';
  const controlId = fields[9] ?? '';
  const now = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const f = fieldSeparator;
  return [
    ['MSH', encoding, 'FHIRLINE', '', fields[2] ?? '', fields[3] ?? '', now, '', 'ACK', `ACK${now}`, 'P', fields[11] || '2.5.1'].join(f),
    ['MSA', 'AR', controlId].join(f),
    ['ERR', '', '', `200${encoding[0]}Unsupported message type${encoding[0]}HL70357`, 'E'].join(f),
  ].join('\r');
}
