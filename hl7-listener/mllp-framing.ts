/**
 * MLLP framing (HL7 v2 Minimal Lower Layer Protocol): a message is <VT> data <FS><CR>.
 * Bytes before a start block are discarded; a frame beyond the size limit is dropped.
 */
export const START_BLOCK = 0x0b;
export const END_BLOCK = 0x1c;
export const CARRIAGE_RETURN = 0x0d;

export class MllpDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessageBytes: number) {}

  /**
   * Feeds bytes from the socket; returns every complete frame's payload, in order, and the first bytes of a
   * frame dropped for exceeding the limit (enough to read its MSH and answer it).
   */
  push(chunk: Buffer): { frames: Buffer[]; oversized: boolean; oversizedHead?: Buffer } {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Buffer[] = [];
    let oversized = false;
    let oversizedHead: Buffer | undefined;
    for (;;) {
      const start = this.buffer.indexOf(START_BLOCK);
      if (start < 0) {
        this.buffer = Buffer.alloc(0);
        break;
      }
      const end = this.buffer.indexOf(END_BLOCK, start + 1);
      if (end < 0 || end + 1 >= this.buffer.length) {
        this.buffer = this.buffer.subarray(start);
        if (this.buffer.length > this.maxMessageBytes + 2) {
          oversized = true;
          oversizedHead = Buffer.from(this.buffer.subarray(1, 4097));
          this.buffer = Buffer.alloc(0);
        }
        break;
      }
      if (end - start - 1 > this.maxMessageBytes) {
        oversized = true;
        oversizedHead = Buffer.from(this.buffer.subarray(start + 1, Math.min(end, start + 4097)));
      } else if (this.buffer[end + 1] === CARRIAGE_RETURN) frames.push(this.buffer.subarray(start + 1, end));
      this.buffer = this.buffer.subarray(end + 2);
    }
    return { frames, oversized, ...(oversizedHead && { oversizedHead }) };
  }
}

export function frame(payload: string): Buffer {
  return Buffer.concat([Buffer.from([START_BLOCK]), Buffer.from(payload, 'utf8'), Buffer.from([END_BLOCK, CARRIAGE_RETURN])]);
}
