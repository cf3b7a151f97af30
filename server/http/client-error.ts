/**
 * Requests Node's HTTP parser refuses before Koa sees them (a request line or headers past `maxHeaderSize`,
 * bytes that are not HTTP, a header timeout): Node's default answer is a bare status line, or none at all, and
 * clients see a reset connection. Every answer of a FHIR server carries an OperationOutcome
 * (https://hl7.org/fhir/R4/http.html#summary), so this writes a minimal one and closes the connection.
 * https://nodejs.org/docs/latest-v20.x/api/http.html#event-clienterror
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { outcome } from '../errors/outcome.ts';
import { FHIR_JSON } from './respond.ts';

/** Longest request line taken for a long header rather than a long URL (Node's maxHeaderSize is 16 KB). */
const LONG_REQUEST_LINE = 8 * 1024;

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

function answerFor(err: ParserError): { status: number; code: 'too-costly' | 'invalid' | 'timeout'; diagnostics: string } {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const raw = err.rawPacket;
    const lineEnd = raw ? raw.indexOf('\r\n') : -1;
    if (lineEnd < 0 || lineEnd > LONG_REQUEST_LINE) {
      return {
        status: 414,
        code: 'too-costly',
        diagnostics: 'The URL is too long: send the search parameters in the body of POST [type]/_search',
      };
    }
    return { status: 431, code: 'too-costly', diagnostics: 'The request headers are too large' };
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, code: 'timeout', diagnostics: 'The request was not received in time' };
  return { status: 400, code: 'invalid', diagnostics: 'The request is not well-formed HTTP/1.1 (request line or headers)' };
}

/** The `clientError` listener of the FHIR REST server (server.ts). */
export function answerClientError(err: ParserError, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, code, diagnostics } = answerFor(err);
  const body = JSON.stringify(outcome('error', code, diagnostics));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${FHIR_JSON}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
