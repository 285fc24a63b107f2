/**
 * Which environment variables `exec` makes of a credential, by its type's rule: one
 * variable named by the key (`api_key`, `secure_note`), or `KEY_<FIELD>` for each field
 * it has (`GITHUB_USERNAME`, `GITHUB_PASSWORD`). A TOTP secret is never exported: the
 * seed makes every future code, and a child that needs a code can run
 * `agent-vault totp`. Pure.
 */
import type { Credential } from './credential.js';
import { envNames, typeSpec } from './credential-types.js';
import { UsageError } from './errors.js';
import { ENV_NAME } from './env-file.js';

/** The `[name, value]` pairs a credential contributes, names prefixed with `prefix`, ordered by field name. */
export function credentialEnv(credential: Credential, prefix = ''): Array<[string, string]> {
  return envNames(typeSpec(credential.type), `${prefix}${credential.key}`)
    .filter(({ field }) => credential.fields[field] !== undefined)
    .sort((a, b) => (a.field < b.field ? -1 : 1))
    .map(({ field, name }) => [name, credential.fields[field]!]);
}

/** Checks a variable name given on the command line (`--allow-env`). */
export function checkEnvName(name: string): string {
  if (!ENV_NAME.test(name)) throw new UsageError(`invalid variable name ${JSON.stringify(name.slice(0, 40))}`, 'a variable name is letters, digits and _, not starting with a digit');
  return name;
}

/** Checks an `--prefix` value: it must start a valid variable name. */
export function checkEnvPrefix(prefix: string): string {
  if (prefix !== '' && !ENV_NAME.test(prefix)) {
    throw new UsageError(`invalid prefix ${JSON.stringify(prefix.slice(0, 40))}`, 'a prefix is letters, digits and _, not starting with a digit');
  }
  return prefix;
}

/**
 * Variables that change how a program is found, loaded or started, or where its
 * connections go and whom they trust. A credential of one of these names would let
 * whoever wrote it run code of theirs in the child (`BASH_ENV=/tmp/x sh …`,
 * `LD_PRELOAD`, `NODE_OPTIONS=--require …`), or route the child's requests, carrying
 * its other credentials, through a proxy of theirs: so `exec` refuses to set them
 * unless the caller names them with `--allow-env`, and never from a granted credential.
 * The list: glibc's own list of variables it drops for privileged programs
 * (unsecvars.h), the shells' start-up and lookup variables, the interpreters' option
 * and library-path variables, the variables naming programs that other programs start
 * (editors, pagers, ssh and git helpers) or configuration files that can, TLS trust and
 * proxies, and agent-vault's own (a granted AGENT_VAULT_TOKEN would make the child's
 * agent-vault calls run as the granter). No list can name every program's variables:
 * these are the loader's, the shells' and the common interpreters' and tools'.
 */
export const PROTECTED_ENV_NAMES: readonly string[] = [
  // How a shell starts and finds programs.
  ...['PATH', 'CDPATH', 'IFS', 'ENV', 'BASH_ENV', 'SHELLOPTS', 'BASHOPTS', 'PS4', 'PROMPT_COMMAND', 'ZDOTDIR', 'SHELL'],
  // Where programs read their start-up and configuration files, and write temporary ones.
  ...['HOME', 'XDG_CONFIG_HOME', 'TMPDIR'],
  // Programs that other programs start.
  ...['EDITOR', 'VISUAL', 'PAGER', 'BROWSER', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_EXEC_PATH', 'GIT_ASKPASS', 'SSH_ASKPASS', 'GIT_PAGER', 'GIT_EDITOR', 'GIT_CONFIG', 'KUBECONFIG', 'AWS_CONFIG_FILE'],
  // The C library (glibc's unsecvars.h).
  ...['GCONV_PATH', 'GETCONF_DIR', 'GLIBC_TUNABLES', 'HOSTALIASES', 'LOCALDOMAIN', 'LOCPATH', 'MALLOC_TRACE', 'NIS_PATH', 'NLSPATH', 'RESOLV_HOST_CONF', 'RES_OPTIONS', 'TZDIR'],
  // Interpreters' options and module paths.
  ...['NODE_OPTIONS', 'NODE_PATH', 'PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME', 'PYTHONUSERBASE', 'PERL5LIB', 'PERL5OPT', 'PERLLIB', 'RUBYOPT', 'RUBYLIB'],
  ...['JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'CLASSPATH'],
  // Where connections go and which certificates they trust.
  ...['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'NODE_EXTRA_CA_CERTS', 'NODE_TLS_REJECT_UNAUTHORIZED', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO', 'GIT_SSL_NO_VERIFY'],
];

/** Prefixes protected like the names above: the dynamic loaders', bash's exported functions, git's and npm's configuration, agent-vault's own. */
export const PROTECTED_ENV_PREFIXES: readonly string[] = ['LD_', 'DYLD_', 'BASH_FUNC_', 'GIT_CONFIG_', 'NPM_CONFIG_', 'AGENT_VAULT_'];

const PROTECTED = new Set(PROTECTED_ENV_NAMES);

/** Whether `name` is protected; compared ignoring case, as some programs read `http_proxy` or `npm_config_*`. */
export function isProtectedEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  return PROTECTED.has(upper) || PROTECTED_ENV_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

/** The kernel's limit on one `NAME=value` string of an environment, its final NUL included (MAX_ARG_STRLEN). */
export const MAX_ENV_STRING_BYTES = 128 * 1024;

/** Where a variable `exec` would set comes from, for the messages that refuse it. */
export interface EnvSource {
  key: string;
  /** The vault it was read from: the caller's own, the one the owner named, or the granter's. */
  agent: string;
  /** Read through a grant (`--agent granter`, an `av://granter/…` reference). */
  granted: boolean;
  /** The `--env-file` line that asked for it. */
  line?: number;
}

/**
 * Checks one variable `exec` would set, before anything starts: a protected name
 * (unless `allowed` names it and the credential is the caller's own), a NUL byte (no
 * environment can hold one), or a string over the kernel's limit are usage errors
 * naming the key, the variable and the way out, so that the command does not start
 * with part of what was asked for.
 */
export function checkInjection(name: string, value: string, source: EnvSource, allowed: ReadonlySet<string>): void {
  const what = `credential ${source.key} ${source.granted ? 'granted by' : 'of'} agent ${source.agent}`;
  const leaveOut = source.line === undefined ? `leave it out with --only and the other keys` : `leave out line ${source.line} of the env file`;
  if (isProtectedEnvName(name) && (source.granted || !allowed.has(name))) {
    throw new UsageError(
      `${what} would set ${name}, which changes how programs are found, loaded or started, or where they connect`,
      source.granted
        ? `a granted credential never sets ${name}, even with --allow-env: ${leaveOut}, or inject it under another name (--prefix, --env-file)`
        : `if that is meant, pass --allow-env ${name}; else ${leaveOut}, or inject it under another name (--prefix, --env-file)`,
    );
  }
  if (value.includes('\0')) {
    throw new UsageError(`${what} holds a NUL byte, which no environment variable can hold, so ${name} cannot be set`, `${leaveOut}; the program can read it with: agent-vault credential get ${source.key} --agent ${source.agent}`);
  }
  const bytes = Buffer.byteLength(name) + 1 + Buffer.byteLength(value) + 1;
  if (bytes > MAX_ENV_STRING_BYTES) {
    throw new UsageError(
      `${what} is too long for an environment variable: ${name} would take ${bytes} bytes, over the kernel's limit of ${MAX_ENV_STRING_BYTES}`,
      `${leaveOut}; the program can read it with: agent-vault credential get ${source.key} --agent ${source.agent}`,
    );
  }
}

/**
 * Checks a plain `NAME=value` line of an `exec --env-file` (no credential behind it):
 * a protected name needs --allow-env, as the caller's own credentials do, because an
 * env file checked into a repository is easy to slip a line into; a NUL byte or a
 * string over the kernel's limit cannot be set. Errors name the line, not the value.
 */
export function checkPlainInjection(name: string, value: string, line: number, allowed: ReadonlySet<string>): void {
  const where = `line ${line} of the env file`;
  if (isProtectedEnvName(name) && !allowed.has(name)) {
    throw new UsageError(`${where} would set ${name}, which changes how programs are found, loaded or started, or where they connect`, `if that is meant, pass --allow-env ${name}; else leave out ${where}`);
  }
  if (value.includes('\0') || Buffer.byteLength(name) + Buffer.byteLength(value) + 2 > MAX_ENV_STRING_BYTES) {
    throw new UsageError(`${where} cannot be set as ${name}: it holds a NUL byte or is over the kernel's limit of ${MAX_ENV_STRING_BYTES} bytes`);
  }
}

/**
 * The caller's own credentials, which no child agent-vault starts (exec, rotate's
 * command, an exec hook) may inherit. AGENT_VAULT_PASSPHRASE and AGENT_VAULT_SESSION are
 * already gone from the environment (io.ts takes them out at start-up); they are listed
 * so that a copy of an environment taken earlier is cleaned the same way.
 */
export const WITHHELD_FROM_CHILDREN: readonly string[] = ['AGENT_VAULT_TOKEN', 'AGENT_VAULT_TOKEN_FILE', 'AGENT_VAULT_PASSPHRASE', 'AGENT_VAULT_PASSPHRASE_FILE', 'AGENT_VAULT_SESSION'];

/** A copy of `env` without {@link WITHHELD_FROM_CHILDREN}. */
export function withoutCallerSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of WITHHELD_FROM_CHILDREN) delete copy[name];
  return copy;
}
