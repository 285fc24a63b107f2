// Argon2id alone, called as src/app/owner-key.ts calls it: the floor of any owner command.
// npm run bench spawns it like the CLI. Usage: node bench/argon2-alone.mjs '$argon2id$v=19$m=65536,t=3,p=4$<salt>'
const match = /^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)$/.exec(process.argv[2] ?? '');
if (!match) throw new Error('usage: node bench/argon2-alone.mjs <argon2id PHC string of the store>');
const [, version, memory, passes, lanes, salt] = match;
const argon2 = await import('argon2');
await argon2.hash('bench passphrase', {
  type: argon2.argon2id,
  raw: true,
  hashLength: 32,
  salt: Buffer.from(salt, 'base64'),
  memoryCost: Number(memory),
  timeCost: Number(passes),
  parallelism: Number(lanes),
  version: Number(version),
});
