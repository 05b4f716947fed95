import { describe, expect, it } from 'vitest'
import { addressProblem, callbackUrlProblem, hostAddressLiteral, nonPublicRange } from './target'

const strict = { allowPrivateNetworks: false }
const open = { allowPrivateNetworks: true }

describe('nonPublicRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.20.30.40', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::7f00:1', 'unallocated'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
    ['2001:db8::1', 'reserved'],
    ['not-an-address', 'invalid'],
  ])('%s is %s', (address, range) => {
    expect(nonPublicRange(address)).toBe(range)
  })

  it.each(['8.8.8.8', '200.144.0.1', '2606:4700:4700::1111', '2804:14c::1', '::ffff:8.8.4.4'])(
    '%s is public unicast',
    (address) => {
      expect(nonPublicRange(address)).toBeNull()
    },
  )
})

describe('callbackUrlProblem', () => {
  it('reads the host the way the URL parser normalises it', () => {
    expect(hostAddressLiteral(new URL('http://0x7f.0.0.1/'))).toBe('127.0.0.1')
    expect(hostAddressLiteral(new URL('http://017700000001/'))).toBe('127.0.0.1')
    expect(hostAddressLiteral(new URL('http://[::1]:8080/'))).toBe('::1')
    expect(hostAddressLiteral(new URL('https://hooks.universidade.example/'))).toBeNull()
    expect(callbackUrlProblem('http://0177.1/hook', strict)).toBe(
      '127.0.0.1 is not a public address (loopback)',
    )
  })

  it('accepts public hosts, by name or address', () => {
    for (const url of [
      'https://hooks.universidade.example/jobs?tenant=1',
      'http://8.8.8.8:8080/',
      'https://[2606:4700::1111]/hook',
    ])
      expect(callbackUrlProblem(url, strict), url).toBeNull()
  })

  it('refuses local names, with or without a trailing dot', () => {
    for (const url of [
      'http://localhost/',
      'http://localhost./',
      'http://x.y.localhost/',
      'http://nas.local/',
      'http://db.internal/',
      'http://router.home.arpa/',
      'http://postgres:5432/',
    ])
      expect(callbackUrlProblem(url, strict), url).toMatch(/is a local name/)
  })

  it('lets private hosts through when the deployment allows them, but never credentials', () => {
    expect(callbackUrlProblem('http://127.0.0.1:9000/hook', open)).toBeNull()
    expect(callbackUrlProblem('http://localhost/hook', open)).toBeNull()
    expect(addressProblem('10.0.0.1', open)).toBeNull()
    expect(callbackUrlProblem('http://u:p@127.0.0.1/', open)).toMatch(/credentials/)
    expect(callbackUrlProblem('https://:p@hooks.universidade.example/', strict)).toMatch(/credentials/)
  })
})
