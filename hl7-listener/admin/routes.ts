/** The HL7 archive and error queue routes under `/admin/hl7` (README.md, HL7 v2 section). */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Engine } from '../../server/engine/index.ts';
import type { MapMessage } from '../handle-message.ts';
import { mapMessage } from '../mapping/index.ts';
import { listMessages } from './list-messages.ts';
import { listUnmappedAuthorities } from './list-unmapped-authorities.ts';
import { moveIdentifierSystem } from './move-identifier-system.ts';
import { readMessage } from './read-message.ts';
import { replayMessage } from './replay-message.ts';

/** `map` is replaced in tests only. */
export function hl7AdminRouter(engine: Engine, map: MapMessage = mapMessage): Router {
  const router = new Router({ prefix: '/admin/hl7' });
  const h = (handler: (ctx: Context, engine: Engine) => Promise<void>) => (ctx: Context) => handler(ctx, engine);
  router.get('/messages', h(listMessages));
  router.get('/messages/:id', h(readMessage));
  router.post('/messages/:id/\\$replay', (ctx: Context) => replayMessage(ctx, engine, map));
  router.get('/unmapped-authorities', h(listUnmappedAuthorities));
  router.post('/identifier-systems/\\$move', h(moveIdentifierSystem));
  return router;
}
