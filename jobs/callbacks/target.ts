import ipaddr from 'ipaddr.js'

/**
 * Which job callbacks (`callback_url`) the service may send, so a tenant cannot make our servers
 * request loopback, private or cloud-metadata addresses on its behalf (server-side request forgery).
 * Two checks share these rules: the batch route judges the URL's text (an IP literal, a local name,
 * credentials), and the worker judges every address the host resolves to before it connects
 * (jobs/callbacks/delivery.ts). Web-standard code plus ipaddr.js: it runs on every edge runtime.
 */

export interface CallbackTargetPolicy {
  /** Self-hosted receivers on a private network, and tests (CALLBACK_ALLOW_PRIVATE_NETWORKS). */
  allowPrivateNetworks: boolean
}

/**
 * IANA hands out global unicast IPv6 from 2000::/3 only; the rest of what ipaddr.js calls `unicast`
 * is unallocated, including the deprecated IPv4-compatible ::a.b.c.d (so `[::127.0.0.1]`).
 */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3')

/**
 * Names that only ever resolve inside a network: `localhost` (RFC 6761), mDNS `.local` (RFC 6762),
 * `.home.arpa` (RFC 8375) and `.internal` (ICANN, 2024; e.g. metadata.google.internal).
 */
const LOCAL_NAME_SUFFIXES = ['localhost', 'local', 'internal', 'home.arpa']

/**
 * The special-purpose range `address` belongs to (ipaddr.js's names: `loopback`, `private`,
 * `linkLocal`, `carrierGradeNat`, `uniqueLocal`, `multicast`, `unspecified`, `reserved`, ...), or
 * null for public unicast. IPv4-mapped IPv6 is judged as the IPv4 address it carries; translation
 * prefixes (NAT64, 6to4, Teredo) are refused, since what they reach depends on a gateway.
 * An unparseable address counts as non-public.
 */
export function nonPublicRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid'
  const ip = ipaddr.process(address)
  const range = ip.range()
  if (range !== 'unicast') return range
  if (ip.kind() === 'ipv6' && !ip.match(GLOBAL_UNICAST_V6)) return 'unallocated'
  return null
}

/** The IP literal a URL names as its host (IPv6 without brackets), or null for a name. */
export function hostAddressLiteral(url: URL): string | null {
  const host = url.hostname
  if (host.startsWith('[') && host.endsWith(']')) return host.slice(1, -1)
  // The URL parser already turned every IPv4 spelling (0x7f.1, 2130706433, ...) into dotted quad.
  return ipaddr.IPv4.isValidFourPartDecimal(host) ? host : null
}

/** Why `address` may not receive a callback, or null when it may. */
export function addressProblem(address: string, policy: CallbackTargetPolicy): string | null {
  if (policy.allowPrivateNetworks) return null
  const range = nonPublicRange(address)
  return range === null ? null : `${address} is not a public address (${range})`
}

/**
 * Why `callbackUrl` may not be a callback target judged from its text alone (no DNS), or null.
 * Credentials are refused whatever the policy: they would be stored and shown in job listings.
 */
export function callbackUrlProblem(callbackUrl: string, policy: CallbackTargetPolicy): string | null {
  let url: URL
  try {
    url = new URL(callbackUrl)
  } catch {
    return 'not a valid URL'
  }
  if (url.username || url.password) return 'must not carry credentials (user:password@)'
  if (policy.allowPrivateNetworks) return null
  const literal = hostAddressLiteral(url)
  if (literal !== null) return addressProblem(literal, policy)
  const name = url.hostname.replace(/\.+$/, '')
  if (!name.includes('.')) return `${name} is a local name, not a public host`
  const suffix = LOCAL_NAME_SUFFIXES.find((s) => name === s || name.endsWith(`.${s}`))
  return suffix ? `${name} is a local name (.${suffix}), not a public host` : null
}
