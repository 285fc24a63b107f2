/**
 * KeePass databases for tests, written by kdbxweb itself with the native argon2: the
 * stand-in for files made by KeePassXC where keepassxc-cli is not installed.
 */
import argon2 from 'argon2';
import kdbxweb from 'kdbxweb';

/** The password of every database {@link makeDatabase} writes. */
export const KDBX_PASSWORD = 'correct horse battery staple';

/** kdbxweb needs an Argon2 to write a database too: the same native module. */
function useNativeArgon2(): void {
  kdbxweb.CryptoEngine.setArgon2Impl(async (pw, salt, memory, iterations, length, parallelism, type, version) => {
    const out = await argon2.hash(Buffer.from(pw), { raw: true, salt: Buffer.from(salt), memoryCost: memory, timeCost: iterations, parallelism, hashLength: length, type: type === 0 ? argon2.argon2d : argon2.argon2id, version });
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
  });
}

const protect = (text: string): kdbxweb.ProtectedValue => kdbxweb.ProtectedValue.fromString(text);

function addEntry(db: kdbxweb.Kdbx, group: kdbxweb.KdbxGroup, fields: Record<string, string>, secret = ['Password']): kdbxweb.KdbxEntry {
  const entry = db.createEntry(group);
  for (const [name, value] of Object.entries(fields)) entry.fields.set(name, secret.includes(name) ? protect(value) : value);
  return entry;
}

/** A database as a KeePassXC user keeps one: groups, TOTP in three styles, custom fields, an attachment, a recycle bin. */
export async function makeDatabase(kdf: string, version: 3 | 4 = 4): Promise<Uint8Array> {
  useNativeArgon2();
  const db = kdbxweb.Kdbx.create(new kdbxweb.Credentials(protect(KDBX_PASSWORD)), 'Passwords');
  if (version === 3) db.setVersion(3);
  else db.setKdf(kdf);
  if (kdf === kdbxweb.Consts.KdfId.Aes) {
    if (version === 3) db.header.keyEncryptionRounds = 1000;
    else db.header.kdfParameters!.set('R', kdbxweb.VarDictionary.ValueType.UInt64, kdbxweb.Int64.from(1000));
  } else {
    db.header.kdfParameters!.set('M', kdbxweb.VarDictionary.ValueType.UInt64, kdbxweb.Int64.from(1024 * 1024));
    db.header.kdfParameters!.set('I', kdbxweb.VarDictionary.ValueType.UInt64, kdbxweb.Int64.from(2));
  }
  const root = db.getDefaultGroup();
  addEntry(db, root, { Title: 'Router', UserName: 'admin', Password: 'r0uter', URL: 'http://192.168.1.1' });
  const work = db.createGroup(root, 'Work');
  const github = addEntry(db, work, {
    Title: 'GitHub',
    UserName: 'octo-bot',
    Password: 'gh-kdbx-secret',
    URL: 'https://github.com',
    Notes: 'org owner',
    otp: 'otpauth://totp/GitHub:octo-bot?secret=JBSWY3DPEHPK3PXP&period=30&digits=6&issuer=GitHub',
    'PAT scope': 'repo',
    KP2A_URL_1: 'https://api.github.com',
  }, ['Password', 'otp']);
  github.tags = ['dev'];
  github.binaries.set('recovery.txt', protect('codes'));
  const servers = db.createGroup(work, 'Servers');
  addEntry(db, servers, {
    Title: 'db',
    UserName: 'postgres',
    Password: 'pg-secret',
    'TimeOtp-Secret-Base32': 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
    'TimeOtp-Length': '8',
    'TimeOtp-Period': '60',
    'TimeOtp-Algorithm': 'HMAC-SHA-256',
  }, ['Password', 'TimeOtp-Secret-Base32']);
  addEntry(db, root, { Title: 'Old site', UserName: 'ada', Password: 'old-pass', 'TOTP Seed': 'jbsw y3dp ehpk 3pxp', 'TOTP Settings': '30;6' });
  addEntry(db, root, { Title: 'Wi-Fi', Notes: 'guest: 1234-5678' });
  db.createRecycleBin();
  const trashed = addEntry(db, root, { Title: 'Deleted', Password: 'gone' });
  db.remove(trashed);
  return new Uint8Array(await db.save());
}

