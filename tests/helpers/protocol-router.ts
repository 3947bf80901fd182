import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';

/**
 * A small router for the protocol tests, which serve it through Parley's handlers and tRPC's own and compare the
 * answers: the calls both transports carry, each way a call ends (data, invalid input, a refusal, a crash).
 */
export const t = initTRPC
  .context<{ user: string | null }>()
  .create({ isDev: false, sse: { enabled: false } });

export const everyEnding = {
  echo: t.procedure.input(z.object({ text: z.string().max(5) })).query(({ input, ctx }) => ({
    text: input.text,
    user: ctx.user,
  })),
  add: t.procedure
    .input(z.object({ a: z.number(), b: z.number() }))
    .mutation(({ input }) => input.a + input.b),
  conflict: t.procedure.mutation(() => {
    throw new TRPCError({ code: 'CONFLICT', message: 'Already there.' });
  }),
  crash: t.procedure.mutation(() => {
    throw new Error('secret detail');
  }),
};
