/**
 * 405 for a method a path does not have (with `Allow`, RFC 9110 §15.5.6), 404 only for a path that
 * does not exist. Fastify's router answers both with its not-found handler, so the routes are
 * remembered as they are added and the handler tells the two apart.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { errorBody } from './errors.ts';

interface KnownRoute {
  pattern: RegExp;
  methods: readonly string[];
}

function patternOf(url: string): RegExp {
  const parts = url.split('/').map((part) => {
    if (part === '*') return '.*';
    if (part.startsWith(':')) return '[^/]+';
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('/')}/?$`);
}

/** Registers the hook and the not-found handler on `app` (before its routes are added). */
export function methodNotAllowed(app: FastifyInstance): void {
  const routes: KnownRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    // CORS answers OPTIONS on every path; it says nothing about which methods a path has.
    const methods = [route.method].flat().filter((method) => method !== 'OPTIONS');
    if (methods.length > 0) routes.push({ pattern: patternOf(route.url), methods });
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?', 1)[0] ?? '';
    const allowed = new Set<string>();
    for (const route of routes) if (route.pattern.test(path)) for (const m of route.methods) allowed.add(m);
    if (allowed.size > 0) {
      const allow = [...allowed].sort().join(', ');
      return reply
        .status(405)
        .header('allow', allow)
        .send(
          errorBody(request, 405, 'METHOD_NOT_ALLOWED', `${request.method} ${path} is not allowed: ${allow}`),
        );
    }
    return reply.status(404).send(errorBody(request, 404, 'NOT_FOUND', `no route ${request.method} ${path}`));
  });
}
