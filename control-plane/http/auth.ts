/**
 * API keys for mutating routes. Only SHA-256 hashes are configured (`id:hash`, from settings or a
 * secret file); a request presents the key as `Authorization: Bearer <key>` or `X-API-Key`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ControlPlaneConfig } from '../../core/config/schema.ts';
import { ConfigError, SynfinError } from '../../core/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The id of the API key that authenticated the request. */
    apiKeyId?: string;
  }
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random key and the `id:hash` line that admits it. */
export function newApiKey(id: string): { key: string; entry: string } {
  const key = `sfk_${randomBytes(24).toString('base64url')}`;
  return { key, entry: `${id}:${hashKey(key)}` };
}

const ENTRY = /^([A-Za-z0-9_.-]{1,64}):([0-9a-f]{64})$/;

/** hash → key id, from `apiKeyHashes` and `apiKeysFile`; at least one key is required. */
export function loadKeys(config: ControlPlaneConfig): Map<string, string> {
  const entries = [...config.apiKeyHashes];
  if (config.apiKeysFile) {
    let text: string;
    try {
      text = readFileSync(config.apiKeysFile, 'utf8');
    } catch (cause) {
      throw new SynfinError('CONFIG_FILE_UNREADABLE', `cannot read API keys file ${config.apiKeysFile}`, {
        cause,
      });
    }
    text.split('\n').forEach((line, index) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      if (!ENTRY.test(trimmed))
        throw new ConfigError(config.apiKeysFile, [
          { path: `line ${index + 1}`, message: 'expected id:sha256hex' },
        ]);
      entries.push(trimmed);
    });
  }
  if (entries.length === 0)
    throw new ConfigError('controlPlane', [
      {
        path: '/controlPlane/apiKeyHashes',
        message:
          'no API key configured: set SYNFIN_CONTROL_PLANE__API_KEY_HASHES or apiKeysFile (`synfin keys new <id>`)',
      },
    ]);
  const keys = new Map<string, string>();
  for (const entry of entries) {
    const [, id, hash] = ENTRY.exec(entry) as RegExpExecArray;
    keys.set(hash as string, id as string);
  }
  return keys;
}

function presented(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const key = request.headers['x-api-key'];
  return typeof key === 'string' ? key : undefined;
}

/** An onRequest hook: a known key or 401 (the same answer for a missing and a wrong key). */
export function authenticate(keys: Map<string, string>) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const key = presented(request);
    const id = key ? keys.get(hashKey(key)) : undefined;
    if (!id) {
      void reply.header('www-authenticate', 'Bearer');
      throw new SynfinError(
        'UNAUTHORIZED',
        'a valid API key is required (Authorization: Bearer <key> or X-API-Key)',
      );
    }
    request.apiKeyId = id;
  };
}
