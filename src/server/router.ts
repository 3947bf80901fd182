import { authRouter } from './routers/auth.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
});

export type AppRouter = typeof appRouter;
