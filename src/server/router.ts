import { adminRouter } from './routers/admin.ts';
import { authRouter } from './routers/auth.ts';
import { chatRouter } from './routers/chat.ts';
import { friendsRouter } from './routers/friends.ts';
import { notificationsRouter } from './routers/notifications.ts';
import { searchRouter } from './routers/search.ts';
import { usersRouter } from './routers/users.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  friends: friendsRouter,
  notifications: notificationsRouter,
  chat: chatRouter,
  admin: adminRouter,
  search: searchRouter,
});

export type AppRouter = typeof appRouter;
