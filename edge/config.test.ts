import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from './config'

describe('parseConfig', () => {
  it('is the embedded default with no env: PGlite, port 8100, limits on', () => {
    const config = parseConfig({})
    expect(config.DATABASE_DRIVER).toBe('pglite')
    expect(config.PORT).toBe(8100)
    expect(config.RATE_LIMIT_ENABLED).toBe(true)
    expect(config.CALLBACK_ALLOW_PRIVATE_NETWORKS).toBe(false)
    expect(config.rateLimits.perGroup.evaluate).toBeGreaterThan(config.rateLimits.perGroup.batch)
    expect(config.rateLimits.perGroup.admin).toBeLessThan(config.rateLimits.perGroup.evaluate)
  })

  it('chooses node-postgres for a URL (Neon on Workers) and requires a salt there', () => {
    const env = { DATABASE_URL: 'postgres://u@db:5432/app', API_KEY_SALT: 'x'.repeat(16) }
    expect(parseConfig(env).DATABASE_DRIVER).toBe('pg')
    expect(parseConfig(env, { driver: 'neon' }).DATABASE_DRIVER).toBe('neon')
    expect(() => parseConfig({ DATABASE_URL: env.DATABASE_URL })).toThrow(/API_KEY_SALT/)
  })

  it('lists every bad key at once, without echoing values', () => {
    let error: ConfigError | undefined
    try {
      parseConfig({
        PORT: '99999',
        RATE_LIMIT_ENABLED: 'perhaps',
        API_KEY_SALT: 'hunter2',
        UPSTASH_REDIS_REST_URL: 'https://redis.example',
        LOG_LEVEL: 'loud',
      })
    } catch (err) {
      error = err as ConfigError
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect(error!.issues.map((i) => i.key).sort()).toEqual(['API_KEY_SALT', 'LOG_LEVEL', 'PORT', 'RATE_LIMIT_ENABLED', 'UPSTASH_REDIS_REST_TOKEN'])
    expect(error!.message).not.toContain('hunter2')
  })

  it('reads booleans and blanks the way .env files write them', () => {
    const config = parseConfig({ RATE_LIMIT_ENABLED: 'false', PORT: '', CORS_ORIGINS: 'https://a.edu, https://b.edu' })
    expect(config.RATE_LIMIT_ENABLED).toBe(false)
    expect(parseConfig({ CALLBACK_ALLOW_PRIVATE_NETWORKS: 'yes' }).CALLBACK_ALLOW_PRIVATE_NETWORKS).toBe(true)
    expect(config.PORT).toBe(8100)
    expect(config.CORS_ORIGINS).toEqual(['https://a.edu', 'https://b.edu'])
  })
})
