import { describe, expect, it } from 'vitest';
import { isIpLiteral, isPrivateAddress } from '../../../../src/core/broker/address.js';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0', '224.0.0.1', '255.255.255.255',
    '::1', '::', '[::1]', 'fe80::1%eth0', 'fc00::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe', 'ff02::1',
    'not-an-address', '1.2.3', '01.2.3.4.5',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2001:4860:4860::8888'])('allows %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('tells an IP literal from a name', () => {
    expect([isIpLiteral('127.0.0.1'), isIpLiteral('::1'), isIpLiteral('[::1]'), isIpLiteral('localhost'), isIpLiteral('1.2.3')]).toEqual([true, true, true, false, false]);
  });
});
