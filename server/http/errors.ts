/**
 * Turns every failure into an OperationOutcome answer: a FhirError's kind gives its status; anything else is a 500
 * whose details go to the log (with the request id), not to the client.
 */
import type { Middleware } from 'koa';
import { stackFrames, type Logger } from '../logger.ts';
import { FhirError } from '../errors/fhir-error.ts';
import { outcome } from '../errors/outcome.ts';
import { httpStatus } from './status.ts';
import { sendJson } from './respond.ts';

export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        sendJson(ctx, 404, outcome('error', 'not-found', `No such endpoint: ${ctx.method} ${ctx.path}`));
      }
    } catch (err) {
      if (err instanceof FhirError) {
        sendJson(ctx, httpStatus(err.kind), err.outcome);
        return;
      }
      const status = httpStatusOf(err);
      if (status && status >= 400 && status < 500) {
        sendJson(ctx, status, outcome('error', status === 413 ? 'too-costly' : 'invalid', (err as Error).message));
        return;
      }
      logger.error('unhandled error', { requestId: ctx.state.requestId as string, error: (err as Error).name, stack: stackFrames(err) });
      sendJson(ctx, 500, outcome('fatal', 'exception', `Internal error; quote request id ${ctx.state.requestId as string}`));
    }
  };
}

/** Errors from raw-body and Koa carry an HTTP status of their own. */
function httpStatusOf(err: unknown): number | undefined {
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  return status;
}
