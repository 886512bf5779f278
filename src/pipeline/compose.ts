/**
 * The request's one path: a list of stages composed once at start-up into one function. A stage
 * may end the request (a cache hit, an error that renders itself) by not calling `next`, may wrap
 * `next` (admit releases what it reserved in `finally`), and reads or writes only its own fields of
 * the context.
 */
export type Next = () => Promise<void>;
export type Stage<C> = (ctx: C, next: Next) => Promise<void>;

const done: Next = () => Promise.resolve();

/**
 * Composes stages in order. `next` runs the rest of the chain; calling it twice from one stage is a
 * bug, reported rather than run twice.
 */
export function compose<C>(stages: readonly Stage<C>[]): (ctx: C) => Promise<void> {
  if (stages.length === 0) return () => Promise.resolve();
  return (ctx) => {
    let last = -1;
    const dispatch = (i: number): Promise<void> => {
      if (i <= last) return Promise.reject(new Error(`stage ${stages[i - 1]?.name || i - 1} called next() twice`));
      last = i;
      const stage = stages[i];
      if (stage === undefined) return done();
      try {
        return stage(ctx, () => dispatch(i + 1));
      } catch (err) {
        return Promise.reject(err);
      }
    };
    return dispatch(0);
  };
}
