import { validateEmbeddingsRequest } from '../../api/validate.js';
import { describeTarget } from '../../config/types.js';
import { GatewayError } from '../../core/errors.js';
import { executeJson } from '../../pipeline/execute-json.js';
import { resolveRoute } from '../../pipeline/plan.js';
import { adapterFor } from '../../providers/registry.js';
import { bodyLimits, parseJson, readBody } from '../body.js';
import { routingHeaders, sendJson } from '../respond.js';
import type { RequestScope } from '../server.js';

export async function handleEmbeddings(scope: RequestScope): Promise<void> {
  const request = validateEmbeddingsRequest(parseJson(await readBody(scope.req, bodyLimits(scope))));
  const all = resolveRoute(scope.config, request.model, request.fallbacks).targets;
  // Only wire formats with an embeddings endpoint can take part.
  const plan = all.filter((t) => adapterFor(t.provider.format).buildEmbeddingsRequest !== undefined);
  if (plan.length === 0) {
    throw new GatewayError(
      'capability_unsupported',
      `No target of '${request.model}' offers embeddings (${all.map(describeTarget).join(', ')}); embeddings are served by OpenAI-format, Azure and Gemini providers`,
      { param: 'model' },
    );
  }
  const result = await executeJson(scope.exec, plan, {
    build: (adapter, target) => adapter.buildEmbeddingsRequest!(request, target),
    parse: (adapter, body, target) => adapter.parseEmbeddingsResponse!(body, request, target),
  });
  scope.headers['x-switchyard-route'] = `route=${request.model}; class=default; strategy=priority; why="embeddings: declared order"`;
  sendJson(scope.res, 200, result.value, routingHeaders(scope.headers, result.target, result.attempts));
}
