import { byUsernameInput, searchInput, setAvatarInput, updateProfileInput } from '../../shared/people.ts';
import { limit } from '../services/auth.ts';
import { setAvatar } from '../services/avatars.ts';
import { profileByUsername, searchUsers, updateProfile } from '../services/users.ts';
import { protectedProcedure, router } from '../trpc.ts';

export const usersRouter = router({
  search: protectedProcedure
    .input(searchInput)
    .query(({ ctx, input }) => searchUsers(ctx.em, ctx.user.id, input)),

  byUsername: protectedProcedure
    .input(byUsernameInput)
    .query(({ ctx, input }) => profileByUsername(ctx.em, ctx.user.id, input.username)),

  updateProfile: protectedProcedure.input(updateProfileInput).mutation(async ({ ctx, input }) => {
    const profile = await updateProfile(ctx.em, ctx.user.id, input);
    await ctx.deps.currentUsers.changed(ctx.user.id, { tellTabs: true });
    return profile;
  }),

  /** A PNG, JPEG or WebP of at most 5 MB, base64 in JSON (so curl and every language can send it). */
  setAvatar: protectedProcedure.input(setAvatarInput).mutation(async ({ ctx, input }) => {
    // Decoding a large image costs CPU and memory: uploads have a budget of their own.
    await limit(ctx.deps, `avatar:${ctx.user.id}`, ctx.deps.config.limits.avatarUploadsPerHour, 3_600_000);
    const avatar = await setAvatar(ctx.em, ctx.deps.config.dataDir, ctx.user.id, input);
    await ctx.deps.currentUsers.changed(ctx.user.id, { tellTabs: true });
    return avatar;
  }),
});
