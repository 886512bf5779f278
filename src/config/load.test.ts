import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { defaultConfigPath, loadConfig, readRawConfig, usesSandbox } from './load.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'switchyard-config-'));
}

describe('loadConfig', () => {
  it('reads, validates and compiles a file', () => {
    const dir = tempDir();
    const path = join(dir, 'gw.yaml');
    writeFileSync(path, 'providers:\n  openai: {}\nmodels:\n  fast:\n    targets: [openai/gpt-4o-mini]\n');
    const config = loadConfig({ path, env: { OPENAI_API_KEY: 'k' } });
    expect(config.source).toBe(path);
    expect(config.models.get('fast')?.targets[0]?.model.id).toBe('gpt-4o-mini');
  });

  it('reports an unreadable file as a ConfigError without a stack of noise', () => {
    const path = join(tempDir(), 'missing.yaml');
    expect(() => loadConfig({ path, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ path, env: {} })).toThrow('cannot read the config file (ENOENT)');
  });

  it('reports YAML syntax errors with a line number', () => {
    const path = join(tempDir(), 'bad.yaml');
    writeFileSync(path, 'providers:\n  openai: {\n');
    expect(() => loadConfig({ path, env: {} })).toThrow(/YAML syntax error: line \d+, column \d+/);
  });

  it('says whether a file needs the sandbox before compiling', () => {
    const path = join(tempDir(), 'sb.yaml');
    writeFileSync(path, 'providers:\n  s:\n    sandbox: true\n    format: openai\n');
    expect(readRawConfig({ path, env: {} })).toMatchObject({ usesSandbox: true, sandboxMode: false, source: path });
    expect(readRawConfig({ env: {} })).toMatchObject({ usesSandbox: true, sandboxMode: true, source: 'sandbox' });
    expect(readRawConfig({ env: { OPENAI_API_KEY: 'k' } })).toMatchObject({ usesSandbox: false, source: 'environment' });
    expect(usesSandbox({ providers: { a: { sandbox: false } } })).toBe(false);
    expect(usesSandbox('nonsense')).toBe(false);
  });
});

describe('defaultConfigPath', () => {
  it('finds switchyard.yaml in the directory, and nothing otherwise', () => {
    const dir = tempDir();
    expect(defaultConfigPath(dir)).toBeUndefined();
    writeFileSync(join(dir, 'switchyard.yaml'), 'providers: {}\n');
    expect(defaultConfigPath(dir)).toBe(join(dir, 'switchyard.yaml'));
  });
});
