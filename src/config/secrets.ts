import { Redactor } from '../core/redact.js';
import type { GatewayConfig } from './types.js';

/**
 * Every credential in the compiled config: API keys however they are sent, SigV4 credentials, and
 * static header values whose name says they are credentials (`headers:` values are not marked as
 * secrets in the config, so the name decides). Sandbox providers send a fixed, public placeholder,
 * which is no secret.
 */
export function configuredSecrets(config: Pick<GatewayConfig, 'providers'>): string[] {
  const out: string[] = [];
  for (const p of config.providers.values()) {
    if (p.sandbox) continue;
    const auth = p.auth;
    if (auth.type === 'bearer' || auth.type === 'header') out.push(auth.key);
    if (auth.type === 'sigv4') out.push(auth.accessKeyId, auth.secretAccessKey, ...(auth.sessionToken ? [auth.sessionToken] : []));
    for (const [name, value] of Object.entries(p.headers)) {
      if (!SECRET_HEADER_NAME.test(name)) continue;
      out.push(value);
      // "Bearer xyz" may come back as just "xyz".
      const last = value.trim().split(/\s+/).pop();
      if (last && last !== value) out.push(last);
    }
  }
  return out.filter((s) => s.trim() !== '');
}

const SECRET_HEADER_NAME = /auth|key|token|secret|passw|cookie|signature|credential|session/i;

/** A redactor for the config's secrets. */
export function redactorFor(config: Pick<GatewayConfig, 'providers'>): Redactor {
  return new Redactor(configuredSecrets(config));
}
