import { sendJson } from '../respond.js';
import type { RequestScope } from '../server.js';

/** The public model names, in OpenAI's list shape. `provider/model` addresses work too but are not listed. */
export async function handleModels({ res, config, headers }: RequestScope): Promise<void> {
  const created = Math.floor(Date.now() / 1000);
  const data = [...config.models.values()].map((m) => ({
    id: m.name,
    object: 'model',
    created,
    owned_by: 'switchyard',
    targets: m.targets.map((t) => `${t.provider.name}/${t.model.id}`),
  }));
  sendJson(res, 200, { object: 'list', data }, headers);
}
