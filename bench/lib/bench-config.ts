/**
 * The config both proxy benches give Switchyard: one OpenAI-format provider `mock` in front of the
 * bench's upstream (key from SWITCHYARD_BENCH_KEY), one model `bench`, everything else default.
 */
export function benchConfigYaml(upstreamUrl: string, writtenBy: string): string {
  return [
    `# Written by ${writtenBy}: one provider, the mock; one model.`,
    'server:',
    '  port: 0',
    'providers:',
    '  mock:',
    '    format: openai',
    `    base_url: ${upstreamUrl}/v1`,
    '    api_key: ${SWITCHYARD_BENCH_KEY}',
    'models:',
    '  bench:',
    '    targets: [mock/gpt-bench]',
    '',
  ].join('\n');
}
