/**
 * A minimal MLLP client for tests and `npm run hl7:send`: writes bytes, collects the framed answers.
 */
import net from 'node:net';
import { MllpDecoder, frame } from '../mllp-framing.ts';

export class MllpClient {
  private readonly decoder = new MllpDecoder(64 * 1024 * 1024);
  private readonly answers: string[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      for (const f of this.decoder.push(chunk).frames) this.answers.push(f.toString('utf8'));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<MllpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new MllpClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends one message (segments separated by CR) framed. */
  send(message: string | Buffer): void {
    this.socket.write(Buffer.isBuffer(message) ? Buffer.concat([Buffer.from([0x0b]), message, Buffer.from([0x1c, 0x0d])]) : frame(message));
  }

  /** The next `n` answers (waits for them; rejects if the connection closes first). */
  async receive(n = 1): Promise<string[]> {
    while (this.answers.length < n) {
      if (this.closed) throw new Error(`connection closed after ${this.answers.length} of ${n} answers`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.answers.splice(0, n);
  }

  async request(message: string | Buffer): Promise<string> {
    this.send(message);
    return (await this.receive(1))[0]!;
  }

  close(): void {
    this.socket.end();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
