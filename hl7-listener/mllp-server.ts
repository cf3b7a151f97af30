/**
 * The MLLP listener on MLLP_HOST:MLLP_PORT (HL7 v2 Minimal Lower Layer Protocol, mllp-framing.ts). Each
 * connection has its own decoder and a queue: its messages are handled strictly one after another, each ACK
 * written before the next message starts (handle-message.ts). A broken, oversized or failing frame is answered
 * or dropped on its own connection only; no socket event can throw out of this module.
 */
import net from 'node:net';
import type { Engine } from '../server/engine/index.ts';
import { buildAck, headerFromRaw } from './ack.ts';
import { handleMessage, senderProfiles, type MapMessage } from './handle-message.ts';
import { mapMessage } from './mapping/index.ts';
import { frame, MllpDecoder } from './mllp-framing.ts';

/** A connection with no bytes for this long is closed (senders reconnect on their next message). */
const IDLE_TIMEOUT_MS = 5 * 60_000;

/** After the last in-flight message is answered, connections get this long to close before they are cut. */
const CLOSE_GRACE_MS = 2_000;

export interface MllpListener {
  server: net.Server;
  /**
   * Graceful stop: no new connection or message is taken (a sender resends what got no ACK), every message
   * being handled is finished and answered, then the connections are closed.
   */
  close(): Promise<void>;
}

/** `map` and `idleTimeoutMs` are replaced in tests only. */
export function startMllpServer(engine: Engine, options: { idleTimeoutMs?: number; map?: MapMessage } = {}): Promise<MllpListener> {
  const { idleTimeoutMs = IDLE_TIMEOUT_MS, map = mapMessage } = options;
  const { config, logger } = engine;
  // A bad HL7_SENDERS file stops the start rather than mis-mapping messages.
  senderProfiles(config.hl7Senders);
  /** Each open connection and the tail of its queue. */
  const connections = new Map<net.Socket, Promise<void>>();
  let closing = false;
  const server = net.createServer((socket) => {
    const peer = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (config.mllpAllow.length > 0 && !config.mllpAllow.includes(peer)) {
      logger.warn('mllp peer refused', { peer });
      socket.destroy();
      return;
    }
    const decoder = new MllpDecoder(config.mllpMaxBytes);
    let queue: Promise<void> = Promise.resolve();
    const send = (text: string) => {
      if (!socket.destroyed && socket.writable) socket.write(frame(text));
    };
    connections.set(socket, queue);
    socket.on('close', () => connections.delete(socket));
    socket.setTimeout(idleTimeoutMs, () => socket.end());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      if (closing) return;
      const { frames, oversizedHead } = decoder.push(chunk);
      if (oversizedHead) {
        const text = `the message exceeds MLLP_MAX_BYTES (${config.mllpMaxBytes} bytes)`;
        queue = queue.then(() => send(buildAck(headerFromRaw(oversizedHead), 'reject', { code: '207', text })));
      }
      for (const bytes of frames) {
        const copy = Buffer.from(bytes);
        queue = queue.then(async () => {
          if (socket.destroyed) return;
          try {
            const handled = await handleMessage(engine, { bytes: copy, peer }, undefined, map);
            if (handled.ack) send(handled.ack);
          } catch (e) {
            // No ACK: the message was not recorded, so the sender's retry will apply it.
            logger.error('mllp message failed', { peer, error: (e as Error).message });
          }
        });
      }
      if (connections.has(socket)) connections.set(socket, queue);
    });
  });
  const close = async () => {
    closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all(connections.values());
    for (const socket of connections.keys()) socket.end();
    const cut = setTimeout(() => {
      for (const socket of connections.keys()) socket.destroy();
    }, CLOSE_GRACE_MS);
    await closed;
    clearTimeout(cut);
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.mllpPort, config.mllpHost, () => resolve({ server, close }));
  });
}
