import { createRequire } from 'node:module';
import type { Agent as AgentType, errors as ErrorsType, util as UtilType } from 'undici';

/**
 * The parts of undici the transport uses, loaded from its own modules: the package's entry point
 * also loads fetch, WebSocket, the cache and mock layers, about 10 MB of resident memory a gateway
 * never uses. undici 7 has no `exports` map, so these paths are public files of the pinned major;
 * the types are the package's own.
 */
const require = createRequire(import.meta.url);

export const Agent: typeof AgentType = require('undici/lib/dispatcher/agent.js');
export const errors: typeof ErrorsType = require('undici/lib/core/errors.js');
export const util: Pick<typeof UtilType, 'parseHeaders'> = require('undici/lib/core/util.js');
export type Agent = AgentType;
