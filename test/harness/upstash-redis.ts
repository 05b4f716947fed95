import { createHash } from 'node:crypto'
import Redis from 'ioredis'
import { type Listening, listen } from './listen'

/**
 * Stands in for Upstash Redis's REST API (the HTTP front of a hosted Redis), so the official
 * @upstash/redis and @upstash/ratelimit clients run unchanged against the real local Redis.
 *
 * Speaks the parts of the protocol those clients use: `POST /` with one command as a JSON array,
 * `POST /pipeline` and `POST /multi-exec` with a list of them, `Authorization: Bearer <token>`,
 * and `Upstash-Encoding: base64` (bulk strings answered base64-encoded, numbers and nil as JSON).
 * Errors are `{"error": "..."}`: HTTP 400 for a single command, per entry in a pipeline.
 *
 * Redis 7 rejects the Upstash-only `allow-key-locking` script flag that @upstash/ratelimit
 * declares, so scripts are forwarded without it, and EVALSHA of the original script's SHA is
 * rewritten to the SHA of the script Redis actually holds.
 */

export interface UpstashRedisStandIn extends Listening {
  token: string
  /** The ioredis connection behind it (RESP2, raw replies). */
  redis: Redis
}

type Reply = Buffer | string | number | null | Reply[]
type Entry = { result: unknown } | { error: string }

const KEY_LOCKING_FLAG = /^#!lua flags=([^\n]*)/

/** Returns the script Redis 7 accepts, or the same script when it has no Upstash-only flag. */
function stripUpstashFlags(script: string): string {
  return script.replace(KEY_LOCKING_FLAG, (_, flags: string) => {
    const kept = flags
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f && f !== 'allow-key-locking')
    return kept.length ? `#!lua flags=${kept.join(',')}` : '#!lua'
  })
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex')

export async function startUpstashRedis(options: { redisUrl?: string; token?: string } = {}): Promise<UpstashRedisStandIn> {
  const token = options.token ?? `test-token-${crypto.randomUUID()}`
  const redis = new Redis(options.redisUrl ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 })
  await redis.connect()
  /** SHA the client computed (original script) → SHA of the script Redis holds. */
  const shaAliases = new Map<string, string>()

  function translate(command: string[]): string[] {
    const name = command[0]?.toUpperCase()
    if ((name === 'EVAL' || name === 'EVAL_RO') && command[1]) {
      const stripped = stripUpstashFlags(command[1])
      if (stripped !== command[1]) shaAliases.set(sha1(command[1]), sha1(stripped))
      return [command[0]!, stripped, ...command.slice(2)]
    }
    if ((name === 'EVALSHA' || name === 'EVALSHA_RO') && command[1]) {
      return [command[0]!, shaAliases.get(command[1].toLowerCase()) ?? command[1], ...command.slice(2)]
    }
    if (name === 'SCRIPT' && command[1]?.toUpperCase() === 'LOAD' && command[2]) {
      const stripped = stripUpstashFlags(command[2])
      if (stripped !== command[2]) shaAliases.set(sha1(command[2]), sha1(stripped))
      return [command[0]!, command[1], stripped]
    }
    return command
  }

  /** Bulk strings become base64 (or UTF-8 text without the encoding header); "OK" stays as is. */
  function encode(reply: Reply, base64: boolean): unknown {
    if (reply === null || typeof reply === 'number') return reply
    if (Array.isArray(reply)) return reply.map((r) => encode(r, base64))
    const buf = typeof reply === 'string' ? Buffer.from(reply) : reply
    const text = buf.toString('utf8')
    if (text === 'OK') return 'OK'
    return base64 ? buf.toString('base64') : text
  }

  const toEntry = (reply: Reply, base64: boolean): Entry => ({ result: encode(reply, base64) })
  const errorEntry = (err: unknown): Entry => ({ error: err instanceof Error ? err.message : String(err) })

  async function runOne(command: string[]): Promise<Reply> {
    const [name, ...args] = translate(command)
    return (await redis.callBuffer(name!, ...args)) as Reply
  }

  function isCommand(value: unknown): value is string[] {
    return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' || typeof v === 'number')
  }

  const server = await listen(async (request) => {
    if (request.headers.get('authorization') !== `Bearer ${token}`) {
      return Response.json({ error: 'Unauthorized' }, { status: 401 })
    }
    const base64 = request.headers.get('upstash-encoding')?.toLowerCase() === 'base64'
    const path = new URL(request.url).pathname
    let body: unknown
    try {
      body = await request.json()
    } catch {
      return Response.json({ error: 'ERR failed to parse command' }, { status: 400 })
    }
    const stringify = (c: unknown[]) => c.map(String)

    if (path === '/' || path === '') {
      if (!isCommand(body)) return Response.json({ error: 'ERR invalid command' }, { status: 400 })
      try {
        return Response.json(toEntry(await runOne(stringify(body)), base64))
      } catch (err) {
        return Response.json(errorEntry(err), { status: 400 })
      }
    }
    if (path === '/pipeline' || path === '/multi-exec') {
      if (!Array.isArray(body) || !body.every(isCommand)) return Response.json({ error: 'ERR invalid pipeline' }, { status: 400 })
      const commands = body.map((c) => translate(stringify(c)))
      const batch = path === '/pipeline' ? redis.pipeline() : redis.multi()
      for (const [name, ...args] of commands) batch.callBuffer(name!, ...args)
      try {
        const results = (await batch.exec()) ?? []
        return Response.json(results.map(([err, reply]) => (err ? errorEntry(err) : toEntry(reply as Reply, base64))))
      } catch (err) {
        // A transaction aborted as a whole (EXECABORT) is one error for the request.
        return Response.json(errorEntry(err), { status: 400 })
      }
    }
    return Response.json({ error: `ERR unknown endpoint ${path}` }, { status: 404 })
  })

  return {
    ...server,
    token,
    redis,
    close: async () => {
      await server.close()
      redis.disconnect()
    },
  }
}
