import { lookup } from 'node:dns/promises'
import http from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import {
  callbackUrlProblem,
  hostAddressLiteral,
  nonPublicRange,
  type CallbackTargetPolicy,
} from './target'

export type ResolvedAddress = { address: string; family: number }

/** Every address a host name resolves to; injectable so tests can answer for names they do not own. */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), as `fetch` and `http.request` use. */
export const systemResolveHost: ResolveHost = (hostname) => lookup(hostname, { all: true, verbatim: true })

export interface CallbackPostOptions extends CallbackTargetPolicy {
  resolveHost: ResolveHost
  /** Resolution and request together. */
  timeoutMs: number
}

export type CallbackPostOutcome =
  /** The receiver answered (any status; redirects are not followed). */
  | { kind: 'answered'; status: number }
  /** Never sent: the target is not a public address. Retrying now would give the same answer. */
  | { kind: 'refused'; reason: string }
  /** Network error or timeout. */
  | { kind: 'failed'; error: string }

/**
 * POSTs a job callback to a public address only. The host is resolved once, every address it
 * resolves to is checked, and the connection goes to the checked address through a fixed `lookup`,
 * so a DNS answer that changes between check and connect (DNS rebinding) cannot redirect it. TLS
 * still verifies the certificate against the URL's host name.
 */
export async function postCallback(
  target: string,
  request: { headers: Record<string, string>; body: string },
  options: CallbackPostOptions,
): Promise<CallbackPostOutcome> {
  // The batch route's rules first (IP literals, local names, credentials): they also cover jobs
  // stored before the rules existed or under another configuration.
  const textProblem = callbackUrlProblem(target, options)
  if (textProblem !== null) return { kind: 'refused', reason: textProblem }
  const url = new URL(target)
  const signal = AbortSignal.timeout(options.timeoutMs)
  try {
    const literal = hostAddressLiteral(url)
    const addresses =
      literal !== null
        ? [{ address: literal, family: isIP(literal) }]
        : await abortable(options.resolveHost(url.hostname), signal)
    if (addresses.length === 0) return { kind: 'failed', error: `${url.hostname} resolved to no address` }
    for (const { address } of addresses) {
      const range = options.allowPrivateNetworks ? null : nonPublicRange(address)
      if (range !== null)
        return {
          kind: 'refused',
          reason: `${url.hostname} resolves to ${address}, which is not a public address (${range})`,
        }
    }
    const status = await send(url, request, addresses[0]!, signal)
    return { kind: 'answered', status }
  } catch (err) {
    return { kind: 'failed', error: err instanceof Error ? err.message : String(err) }
  }
}

function send(
  url: URL,
  request: { headers: Record<string, string>; body: string },
  pinned: ResolvedAddress,
  signal: AbortSignal,
): Promise<number> {
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: 'POST',
      headers: { ...request.headers, 'Content-Length': String(Buffer.byteLength(request.body)) },
      lookup: pinnedLookup(pinned),
      // A fresh connection: a pooled socket could have been opened to an address checked earlier.
      agent: false,
      signal,
    })
    req.on('response', (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end(request.body)
  })
}

/** A `lookup` that answers with the address already checked instead of asking DNS again. */
function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [pinned])
    else callback(null, pinned.address, pinned.family)
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
    promise.then(resolve, reject)
  })
}
