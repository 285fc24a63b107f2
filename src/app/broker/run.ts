/**
 * One run of the broker as a server (`exec --broker`, `proxy`): the engine, a fresh CA,
 * a proxy password and a placeholder per service credential, the server on 127.0.0.1,
 * and the environment a client needs to use it. The caller writes the CA bundle to the
 * file it named (app/ writes no files) and closes the run when the client is done.
 */
import { randomBytes } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { UsageError } from '../../core/errors.js';
import { serviceUrlVariable } from '../../core/broker/service.js';
import type { Session } from '../session.js';
import { createRunAuthority } from './certificates.js';
import { Broker } from './engine.js';
import { PROXY_USER, startProxy } from './proxy.js';

/** Every variable a client's TLS library may read its trust store from. */
export const CA_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO'] as const;
/** Variables that would make a client bypass the proxy: removed from its environment. */
export const BYPASS_VARIABLES = ['NO_PROXY', 'no_proxy'] as const;

export interface BrokerRunOptions {
  /** Where the caller will write {@link BrokerRun.caBundle}; the CA variables name it. */
  caFile: string;
  upstreamCa?: string;
  denyUnmatched: boolean;
  port?: number;
}

export interface BrokerRun {
  port: number;
  /** The variables a client must not have ({@link BYPASS_VARIABLES}). */
  unset: readonly string[];
  /** The variables a client needs (proxy, CA, base URLs), besides the placeholders. */
  env: Map<string, string>;
  /** The placeholder of each service credential, by key and then field (`''` for the main secret). */
  placeholders: Map<string, Map<string, string>>;
  /**
   * The PEM bundle for {@link BrokerRunOptions.caFile}: the run's CA, then Node's roots and
   * any `--upstream-ca`, so that the hosts tunnelled untouched still verify for clients
   * whose trust store the file replaces (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, …).
   */
  caBundle: string;
  close(): Promise<void>;
}

const placeholder = (): string => `avp_${randomBytes(24).toString('base64url')}`;

/** Opens the agent's services as a server. An agent without services is a usage error. */
export async function openBrokerRun(session: Session, agent: string, options: BrokerRunOptions): Promise<BrokerRun> {
  const byService = new Map<string, string>();
  const placeholders = new Map<string, Map<string, string>>();
  const { payload } = await session.unlock(agent);
  const services = payload.services ?? [];
  if (services.length === 0) throw new UsageError(`agent ${agent} has no services to broker`, `the owner adds one with: agent-vault service add NAME --agent ${agent} …`);
  for (const service of services) {
    const fields = placeholders.get(service.credential) ?? new Map<string, string>();
    placeholders.set(service.credential, fields);
    const field = service.field ?? '';
    if (!fields.has(field)) fields.set(field, placeholder());
    byService.set(service.name, fields.get(field)!);
  }
  const broker = await Broker.open(session, agent, { placeholders: byService, ...(options.upstreamCa ? { upstreamCa: options.upstreamCa } : {}) });
  const routes = new Map<string, string>();
  for (const service of services) {
    const host = service.hosts.find((h) => !h.startsWith('*.'));
    if (host !== undefined) routes.set(service.name, `https://${host}`);
  }
  const authority = await createRunAuthority(session.now());
  const password = randomBytes(24).toString('base64url');
  const proxy = await startProxy({ broker, authority, password, placeholders: byService, routes, denyUnmatched: options.denyUnmatched, ...(options.port === undefined ? {} : { port: options.port }) });
  const proxyUrl = `http://${PROXY_USER}:${password}@127.0.0.1:${proxy.port}`;
  const env = new Map<string, string>();
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) env.set(name, proxyUrl);
  // Node 24's fetch and http honour HTTPS_PROXY only with this set.
  env.set('NODE_USE_ENV_PROXY', '1');
  for (const name of CA_VARIABLES) env.set(name, options.caFile);
  for (const name of routes.keys()) env.set(serviceUrlVariable(name), `http://127.0.0.1:${proxy.port}/${name}`);
  return {
    port: proxy.port,
    unset: BYPASS_VARIABLES,
    env,
    placeholders,
    caBundle: [authority.certificatePem, ...rootCertificates, ...(options.upstreamCa ? [options.upstreamCa] : [])].map((pem) => `${pem.trim()}\n`).join(''),
    close: () => proxy.close(),
  };
}
