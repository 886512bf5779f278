import type { CompileReport } from './compile.js';
import type { EnvRefNote } from './context.js';
import { DEFAULT_CAPABILITIES } from './targets.js';
import { describeTarget, type ModelInfo, type ProviderConfig, type PublicModel, type RoutingConfig, type TrafficClass } from './types.js';
import { formatBytes } from './units.js';

/**
 * Human-readable summary of a compiled config for `switchyard check`. It names environment
 * variables and whether they are set, never their values, and shows header names only, since a
 * header value may be a credential.
 */

function envNote(n: EnvRefNote): string {
  return `env:${n.variable} (${n.set ? 'set' : 'not set'})`;
}

function authLine(p: ProviderConfig, notes: readonly EnvRefNote[]): string {
  const secrets = notes.filter((n) => n.secret);
  const creds = secrets.map((n) => `${n.field}: ${envNote(n)}`).join(', ');
  const suffix = creds ? `, ${creds}` : '';
  switch (p.auth.type) {
    case 'none':
      return 'none (no credentials sent)';
    case 'bearer':
      return p.sandbox ? 'bearer, sandbox key' : `bearer${suffix}`;
    case 'header':
      return p.sandbox ? `header ${p.auth.name}, sandbox key` : `header ${p.auth.name}${suffix}`;
    case 'sigv4':
      return `sigv4, region ${p.auth.region}, service ${p.auth.service}${suffix}`;
  }
}

/** Cents always shown, sub-cent digits only when present: $0.15, $2.50, $0.075. */
function money(n: number): string {
  return `$${n.toFixed(4).replace(/0{1,2}$/, '')}`;
}

function modelLine(m: ModelInfo): string {
  const parts: string[] = [];
  if (m.deployment !== undefined && m.deployment !== m.id) parts.push(`deployment ${m.deployment}`);
  if (m.contextWindow !== undefined) parts.push(`context ${m.contextWindow}`);
  if (m.maxOutputTokens !== undefined) parts.push(`max output ${m.maxOutputTokens}`);
  if (m.pricing) {
    const cached = m.pricing.cachedInput !== undefined ? `, cached ${money(m.pricing.cachedInput)}` : '';
    parts.push(`price per 1M: in ${money(m.pricing.input)}, out ${money(m.pricing.output)}${cached}`);
  }
  parts.push(`capabilities: ${[...m.capabilities].join(', ')}`);
  if (m.region !== undefined) parts.push(`region ${m.region}`);
  if (m.compliance.length > 0) parts.push(`compliance: ${m.compliance.join(', ')}`);
  if (m.quality !== undefined) parts.push(`quality ${m.quality}`);
  return `      ${m.id}  ${parts.join('; ')}`;
}

export function describeConfig(report: CompileReport): string[] {
  const { config } = report;
  const s = config.server;
  const lines: string[] = [];
  lines.push(`source: ${config.source}${config.sandboxMode ? ' (no provider credentials found: using the built-in sandbox)' : ''}`);
  lines.push(`server: ${s.host}:${s.port}, max body ${formatBytes(s.maxBodyBytes)}, request timeout ${s.requestTimeoutMs} ms`);
  lines.push('');
  lines.push(`providers (${config.providers.size}):`);
  for (const p of config.providers.values()) lines.push(...providerLines(p, report.envRefs.get(p.name) ?? []));
  lines.push('');
  lines.push(`public models (${config.models.size}):`);
  for (const m of config.models.values()) lines.push(publicModelLine(m));
  lines.push(...routingLines(config.routing));
  return lines;
}

function providerLines(p: ProviderConfig, notes: readonly EnvRefNote[]): string[] {
  const lines: string[] = [];
  const base = p.baseUrl === '' ? '(base URL unresolved: variable not set)' : p.baseUrl;
  lines.push(`  ${p.name}  format ${p.format}${p.sandbox ? ' (sandbox)' : ''}  ${base}`);
  lines.push(`    auth: ${authLine(p, notes)}`);
  const plain = notes.filter((n) => !n.secret);
  if (plain.length > 0) lines.push(`    env: ${plain.map((n) => `${n.field} ← ${envNote(n)}`).join(', ')}`);
  if (p.apiVersion !== undefined) lines.push(`    api version: ${p.apiVersion}`);
  if (p.region !== undefined) lines.push(`    region: ${p.region}`);
  if (p.compliance.length > 0) lines.push(`    compliance: ${p.compliance.join(', ')}`);
  const headers = Object.keys(p.headers);
  if (headers.length > 0) lines.push(`    headers: ${headers.join(', ')} (values not shown)`);
  const t = p.timeouts;
  lines.push(
    `    timeouts: connect ${t.connectMs} ms, first byte ${t.firstByteMs} ms, first token ${t.firstTokenMs} ms, idle ${t.idleMs} ms; max connections ${p.maxConnections ?? 'no cap'}${offersHttp2(p) ? ', HTTP/2 offered' : ''}`,
  );
  if (p.models.size > 0) {
    lines.push('    models:');
    for (const m of p.models.values()) lines.push(modelLine(m));
  }
  lines.push(`    other models (${p.name}/<any id>): ${DEFAULT_CAPABILITIES.join(', ')}`);
  return lines;
}

/** HTTP/2 is negotiated by ALPN during the TLS handshake: a plain-http provider is always spoken to in HTTP/1.1. */
function offersHttp2(p: ProviderConfig): boolean {
  return p.http2 && p.baseUrl.startsWith('https:');
}

function publicModelLine(m: PublicModel): string {
  // One tier reads as an ordered list; several as [tier] → [tier].
  const tiers = m.tiers.map((t) => t.targets.map((x, i) => describeTarget(x) + (t.weights[i] !== 1 ? ` (weight ${t.weights[i]})` : '')));
  const order = tiers.length === 1 ? tiers[0]!.join(' → ') : tiers.map((t) => `[${t.join(', ')}]`).join(' → ');
  const notes = [m.strategy !== 'priority' ? `strategy ${m.strategy}` : '', m.hedge ? 'hedged' : '', m.affinity === 'none' ? 'no session affinity' : ''].filter(
    Boolean,
  );
  return `  ${m.name} → ${order}${notes.length > 0 ? `  (${notes.join(', ')})` : ''}`;
}

/** The section brings its own blank separator, so a config with no routing adds no lines at all. */
function routingLines(r: RoutingConfig): string[] {
  if (r.classes.size === 0 && r.rules.length === 0 && !r.auto) return [];
  const lines = ['', 'routing:'];
  for (const c of r.classes.values()) lines.push(classLine(c, c === r.defaultClass));
  for (const rule of r.rules) {
    const set = [rule.route && `route ${rule.route}`, rule.class && `class ${rule.class}`, rule.strategy && `strategy ${rule.strategy}`].filter(Boolean);
    lines.push(`  rule ${rule.index}: when ${rule.when.source} → ${set.join(', ')}`);
  }
  if (r.auto) lines.push(`  auto: simple → ${r.auto.simple}, medium → ${r.auto.medium}, complex → ${r.auto.complex}`);
  return lines;
}

function classLine(c: TrafficClass, isDefault: boolean): string {
  const parts = [
    c.qualityFloor !== undefined ? `quality ≥ ${c.qualityFloor}` : '',
    c.maxAttempts !== undefined ? `max attempts ${c.maxAttempts}` : '',
    c.maxFallbackDepth !== undefined ? `fallback depth ${c.maxFallbackDepth}` : '',
    !c.hedge ? 'never hedged' : c.hedgeConfig ? 'own hedging' : '',
    c.deadlineMs !== undefined ? `deadline ${c.deadlineMs} ms` : '',
    c.maxCostUsd !== undefined ? `cost ≤ $${c.maxCostUsd}` : '',
    c.latencyBudgetMs !== undefined ? `latency budget ${c.latencyBudgetMs} ms` : '',
    c.degradeTo !== undefined ? `degrades to ${c.degradeTo}` : '',
  ].filter(Boolean);
  return `  class ${c.name}${isDefault ? ' (default)' : ''}: ${parts.join(', ') || 'no limits'}`;
}
