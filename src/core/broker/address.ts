/**
 * Which addresses a service host may resolve to. A host an agent can make resolve to
 * 127.0.0.1 or 169.254.169.254 would turn the broker into a way to reach the machine's
 * own services or a cloud's metadata endpoint with a credential attached, so the broker
 * refuses every address that is not globally routable unless the service says
 * `--allow-private`.
 */

/** The four bytes of a dotted IPv4 address, or undefined. */
function ipv4Bytes(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number);
}

/** The sixteen bytes of an IPv6 address (zone and brackets removed), or undefined. */
function ipv6Bytes(text: string): number[] | undefined {
  let bare = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) is rewritten as its two hex groups.
  const v4 = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(bare);
  if (v4) {
    const bytes = ipv4Bytes(v4[1]!);
    if (!bytes) return undefined;
    bare = `${bare.slice(0, -v4[1]!.length)}${((bytes[0]! << 8) | bytes[1]!).toString(16)}:${((bytes[2]! << 8) | bytes[3]!).toString(16)}`;
  }
  const halves = bare.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const words = part.split(':');
    return words.every((w) => /^[0-9a-f]{1,4}$/i.test(w)) ? words.map((w) => parseInt(w, 16)) : undefined;
  };
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (!left || !right) return undefined;
  const fill = 8 - left.length - right.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  return [...left, ...new Array<number>(fill).fill(0), ...right].flatMap((w) => [w >> 8, w & 0xff]);
}

function privateIpv4([a, b, c]: number[]): boolean {
  return (
    a === 0 || a === 10 || a === 127 || a! >= 224 ||
    (a === 100 && b! >= 64 && b! < 128) ||
    (a === 169 && b === 254) ||
    (a === 172 && b! >= 16 && b! < 32) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && c === 0) ||
    (a === 198 && (b === 18 || b === 19))
  );
}

/**
 * True for an address that is loopback, private, shared (CGNAT), link-local (cloud
 * metadata lives there), multicast, reserved or unspecified, in IPv4 or IPv6 (IPv4-mapped
 * and NAT64 addresses are judged by the IPv4 address inside). Text that is no address
 * counts as private: the check fails closed.
 */
export function isPrivateAddress(text: string): boolean {
  const v4 = ipv4Bytes(text);
  if (v4) return privateIpv4(v4);
  const v6 = ipv6Bytes(text);
  if (!v6) return true;
  const zeroUntil = (n: number): boolean => v6.slice(0, n).every((b) => b === 0);
  if (zeroUntil(15) && (v6[15] === 0 || v6[15] === 1)) return true;
  if (zeroUntil(10) && v6[10] === 0xff && v6[11] === 0xff) return privateIpv4(v6.slice(12));
  if (v6[0] === 0 && v6[1] === 0x64 && v6[2] === 0xff && v6[3] === 0x9b && v6.slice(4, 12).every((b) => b === 0)) return privateIpv4(v6.slice(12));
  const first = v6[0]!;
  return (first & 0xfe) === 0xfc || first === 0xff || (first === 0xfe && (v6[1]! & 0xc0) !== 0) || zeroUntil(12);
}

/** Whether `text` is an IP address literal (v4, or v6 with or without brackets). */
export function isIpLiteral(text: string): boolean {
  return ipv4Bytes(text) !== undefined || (text.includes(':') && ipv6Bytes(text) !== undefined);
}
