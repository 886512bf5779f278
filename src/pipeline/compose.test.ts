import { describe, expect, it } from 'vitest';
import { compose, type Stage } from './compose.js';

type Ctx = { log: string[] };

const tracer =
  (name: string): Stage<Ctx> =>
  async (ctx, next) => {
    ctx.log.push(`${name}>`);
    await next();
    ctx.log.push(`<${name}`);
  };

describe('compose', () => {
  it('runs stages in order, each wrapping the rest of the chain', async () => {
    const ctx: Ctx = { log: [] };
    await compose([tracer('a'), tracer('b'), tracer('c')])(ctx);
    expect(ctx.log).toEqual(['a>', 'b>', 'c>', '<c', '<b', '<a']);
  });

  it('lets a stage end the request by not calling next', async () => {
    const ctx: Ctx = { log: [] };
    const stop: Stage<Ctx> = async (c) => {
      c.log.push('stop');
    };
    await compose([tracer('a'), stop, tracer('never')])(ctx);
    expect(ctx.log).toEqual(['a>', 'stop', '<a']);
  });

  it('passes a thrown error (sync or async) out through the stages before it, whose finally blocks run', async () => {
    const ctx: Ctx = { log: [] };
    const guard: Stage<Ctx> = async (c, next) => {
      try {
        await next();
      } finally {
        c.log.push('released');
      }
    };
    const syncThrow: Stage<Ctx> = () => {
      throw new Error('sync');
    };
    await expect(compose([guard, syncThrow])(ctx)).rejects.toThrow('sync');
    const asyncThrow: Stage<Ctx> = async () => {
      throw new Error('async');
    };
    await expect(compose([guard, asyncThrow])(ctx)).rejects.toThrow('async');
    expect(ctx.log).toEqual(['released', 'released']);
  });

  it('refuses a second call of next from one stage', async () => {
    const twice: Stage<Ctx> = async function twice(_c, next) {
      await next();
      await next();
    };
    const counter: Stage<Ctx> = async (c) => {
      c.log.push('ran');
    };
    const ctx: Ctx = { log: [] };
    await expect(compose([twice, counter])(ctx)).rejects.toThrow('stage twice called next() twice');
    expect(ctx.log).toEqual(['ran']);
  });

  it('composes an empty chain into a function that resolves', async () => {
    await expect(compose<Ctx>([])({ log: [] })).resolves.toBeUndefined();
  });
});
