import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from './helpers/errors.ts';
import { base64, blue, dataUrl, green, near, noisePng, pixelAt, red, twoTone } from './helpers/images.ts';
import { makeFriends, type Person, signUp } from './helpers/people.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { roomyLimits } from './helpers/users.ts';

let server: TestServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'parley-profile-'));
  server = await startTestServer({ env: { ...roomyLimits, PARLEY_DATA_DIR: dataDir } });
});

afterAll(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const fiveMegabytes = 5 * 1024 * 1024;

async function fetchAvatar(avatarUrl: string | null) {
  if (!avatarUrl) throw new Error('No avatar URL');
  const response = await fetch(new URL(avatarUrl, server.url));
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

const avatarOf = async (viewer: Person, owner: Person) =>
  (await viewer.client.users.byUsername.query({ username: owner.username })).avatarUrl;

describe("looking at someone's profile", () => {
  it('shows their name, bio, join date, friend count and how we relate, but not their email', async () => {
    const before = Date.now();
    const grace = await signUp(server, { displayName: 'Grace Hopper' });
    const ada = await signUp(server);
    const alan = await signUp(server);
    await grace.client.users.updateProfile.mutate({ bio: 'Found the first actual bug.' });
    await makeFriends(grace, ada);
    await makeFriends(alan, grace);

    const profile = await ada.client.users.byUsername.query({ username: grace.username });

    expect(profile).toMatchObject({
      id: grace.id,
      username: grace.username,
      displayName: 'Grace Hopper',
      avatarUrl: null,
      bio: 'Found the first actual bug.',
      friendCount: 2,
      relation: 'friend',
    });
    expect(Date.parse(profile.joinedAt)).toBeGreaterThanOrEqual(before - 5_000);
    expect(Date.parse(profile.joinedAt)).toBeLessThanOrEqual(Date.now());
    expect(profile.joinedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(profile.email ?? null).toBeNull();
    expect(JSON.stringify(profile)).not.toContain(grace.account.email);
  });

  it('tells a stranger we are strangers, and counts no friends for a newcomer', async () => {
    const newcomer = await signUp(server);
    const stranger = await signUp(server);

    const profile = await stranger.client.users.byUsername.query({ username: newcomer.username });

    expect(profile).toMatchObject({ relation: 'none', friendCount: 0, bio: '' });
  });

  it('shows me my own email', async () => {
    const me = await signUp(server);

    const profile = await me.client.users.byUsername.query({ username: me.username });

    expect(profile).toMatchObject({ id: me.id, relation: 'self', email: me.account.email });
  });

  it('shows my email to others only while I choose to show it', async () => {
    const owner = await signUp(server);
    const visitor = await signUp(server);

    await owner.client.users.updateProfile.mutate({ showEmail: true });
    const shown = await visitor.client.users.byUsername.query({ username: owner.username });
    expect(shown.email).toBe(owner.account.email);

    await owner.client.users.updateProfile.mutate({ showEmail: false });
    const hidden = await visitor.client.users.byUsername.query({ username: owner.username });
    expect(hidden.email ?? null).toBeNull();
    expect(JSON.stringify(hidden)).not.toContain(owner.account.email);
  });

  it('answers NOT_FOUND for a username nobody has', async () => {
    const me = await signUp(server);
    const error = await rejection(me.client.users.byUsername.query({ username: 'nobody_by_this_name' }));
    expect(error.data?.code).toBe('NOT_FOUND');
  });
});

describe('editing my profile', () => {
  it('shows my new display name and bio to others and in search', async () => {
    const me = await signUp(server, { displayName: 'Old Name' });
    const other = await signUp(server);

    await me.client.users.updateProfile.mutate({
      displayName: `Margaret ${me.username}`,
      bio: 'Apollo code.',
    });

    const profile = await other.client.users.byUsername.query({ username: me.username });
    expect(profile).toMatchObject({ displayName: `Margaret ${me.username}`, bio: 'Apollo code.' });
    const found = await other.client.users.search.query({ query: `margaret ${me.username}` });
    expect(found.items.map((hit) => hit.id)).toEqual([me.id]);
  });

  it('changes only what I send', async () => {
    const me = await signUp(server, { displayName: 'Kept Name' });
    await me.client.users.updateProfile.mutate({ bio: 'First bio', showEmail: true });

    await me.client.users.updateProfile.mutate({ bio: 'Second bio' });

    const profile = await me.client.users.byUsername.query({ username: me.username });
    expect(profile).toMatchObject({ displayName: 'Kept Name', bio: 'Second bio' });
    const other = await signUp(server);
    expect((await other.client.users.byUsername.query({ username: me.username })).email).toBe(
      me.account.email,
    );
  });

  it.each([
    ['an empty display name', { displayName: '  ' }, 'displayName'],
    ['a display name of 61 characters', { displayName: 'n'.repeat(61) }, 'displayName'],
    ['a bio of 501 characters', { bio: 'b'.repeat(501) }, 'bio'],
  ])('refuses %s with BAD_REQUEST and a message for that field', async (_, input, field) => {
    const me = await signUp(server, { displayName: 'Unchanged' });

    const error = await rejection(me.client.users.updateProfile.mutate(input));

    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.fieldErrors?.[field]?.[0]).toEqual(expect.any(String));
    const profile = await me.client.users.byUsername.query({ username: me.username });
    expect(profile).toMatchObject({ displayName: 'Unchanged', bio: '' });
  });
});

describe('my avatar', () => {
  it('turns a PNG into a 256×256 WebP cut from the middle, served with a long cache lifetime', async () => {
    const me = await signUp(server);
    const other = await signUp(server);
    // 600×400, red left half, blue right half: the centre square is half red, half blue.
    const png = await twoTone(600, 400, red, blue).png().toBuffer();

    const { avatarUrl } = await me.client.users.setAvatar.mutate({ image: base64(png) });

    expect(avatarUrl).toMatch(new RegExp(`^/avatars/${me.id}-\\d+\\.webp$`));
    expect(await avatarOf(other, me)).toBe(avatarUrl);
    const { response, bytes } = await fetchAvatar(avatarUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(30 * 24 * 3600);
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'webp', width: 256, height: 256 });
    expect(near(await pixelAt(bytes, 40, 128), red)).toBe(true);
    expect(near(await pixelAt(bytes, 215, 128), blue)).toBe(true);
    // Kept on disk under the data folder, so it survives a restart.
    expect(existsSync(path.join(dataDir, 'avatars', path.basename(avatarUrl)))).toBe(true);
  });

  it('takes a JPEG sent as a data URL and keeps the square I chose', async () => {
    const me = await signUp(server);
    // 400×800: green above, blue below; I choose the lower square.
    const jpeg = await twoTone(400, 800, green, blue, { stacked: true }).jpeg().toBuffer();

    const { avatarUrl } = await me.client.users.setAvatar.mutate({
      image: dataUrl('image/jpeg', jpeg),
      crop: { left: 0, top: 400, size: 400 },
    });

    const { bytes } = await fetchAvatar(avatarUrl);
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'webp', width: 256, height: 256 });
    for (const [x, y] of [
      [5, 5],
      [250, 5],
      [128, 128],
      [5, 250],
      [250, 250],
    ] as const) {
      expect(near(await pixelAt(bytes, x, y), blue)).toBe(true);
    }
  });

  it('takes a WebP, and gives each new upload a new address', async () => {
    const me = await signUp(server);
    const first = await me.client.users.setAvatar.mutate({
      image: base64(await twoTone(300, 300, red, red).png().toBuffer()),
    });

    const webp = await twoTone(300, 300, green, green).webp().toBuffer();
    const second = await me.client.users.setAvatar.mutate({ image: dataUrl('image/webp', webp) });

    expect(second.avatarUrl).not.toBe(first.avatarUrl);
    expect(await avatarOf(me, me)).toBe(second.avatarUrl);
    const { response, bytes } = await fetchAvatar(second.avatarUrl);
    expect(response.status).toBe(200);
    expect(near(await pixelAt(bytes, 128, 128), green)).toBe(true);
  });

  it('judges the file by its content, not the type it claims to be', async () => {
    const me = await signUp(server);
    const png = await twoTone(64, 64, blue, blue).png().toBuffer();

    const { avatarUrl } = await me.client.users.setAvatar.mutate({ image: dataUrl('image/gif', png) });

    const { bytes } = await fetchAvatar(avatarUrl);
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'webp', width: 256, height: 256 });
  });

  const badFiles: [string, () => Promise<string>][] = [
    ['a text file', async () => base64(Buffer.from('Dear diary, today I tried to upload a text file.\n'))],
    ['a GIF', async () => base64(await twoTone(64, 64, red, blue).gif().toBuffer())],
    [
      'a GIF that claims to be a PNG',
      async () => dataUrl('image/png', await twoTone(64, 64, red, blue).gif().toBuffer()),
    ],
    [
      'an SVG',
      async () =>
        base64(
          Buffer.from(
            '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect fill="red"/></svg>',
          ),
        ),
    ],
    [
      'a truncated PNG',
      async () => {
        const png = await noisePng(200, 200);
        return base64(png.subarray(0, Math.floor(png.length / 2)));
      },
    ],
  ];

  it.each(badFiles)('refuses %s with a clear BAD_REQUEST and keeps my old avatar', async (_, file) => {
    const me = await signUp(server);
    const other = await signUp(server);
    const { avatarUrl: old } = await me.client.users.setAvatar.mutate({
      image: base64(await twoTone(100, 100, green, green).png().toBuffer()),
    });

    const error = await rejection(me.client.users.setAvatar.mutate({ image: await file() }));

    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/PNG, JPEG or WebP|damaged|could not be read/i);
    expect(await avatarOf(other, me)).toBe(old);
    const { response, bytes } = await fetchAvatar(old);
    expect(response.status).toBe(200);
    expect(near(await pixelAt(bytes, 128, 128), green)).toBe(true);
  });

  it('refuses an image over 5 MB, saying so, and keeps my old avatar', async () => {
    const me = await signUp(server);
    const { avatarUrl: old } = await me.client.users.setAvatar.mutate({
      image: base64(await twoTone(100, 100, green, green).png().toBuffer()),
    });
    const big = await noisePng(1324, 1320);
    expect(big.length).toBeGreaterThan(fiveMegabytes);
    expect(big.length).toBeLessThan(fiveMegabytes + 20_000);

    const error = await rejection(me.client.users.setAvatar.mutate({ image: base64(big) }));

    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/5 MB/);
    expect(await avatarOf(me, me)).toBe(old);
    expect((await fetchAvatar(old)).response.status).toBe(200);
  });

  it('takes a photo just under 5 MB', async () => {
    const me = await signUp(server);
    const large = await noisePng(1280, 1280);
    expect(large.length).toBeGreaterThan(4.5 * 1024 * 1024);
    expect(large.length).toBeLessThanOrEqual(fiveMegabytes);

    const { avatarUrl } = await me.client.users.setAvatar.mutate({ image: dataUrl('image/png', large) });

    const { response, bytes } = await fetchAvatar(avatarUrl);
    expect(response.status).toBe(200);
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'webp', width: 256, height: 256 });
  });

  it('refuses a crop square that runs off the image', async () => {
    const me = await signUp(server);
    const png = await twoTone(300, 200, red, blue).png().toBuffer();

    const error = await rejection(
      me.client.users.setAvatar.mutate({ image: base64(png), crop: { left: 150, top: 0, size: 200 } }),
    );

    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(await avatarOf(me, me)).toBeNull();
  });

  it('answers a missing avatar file with 404', async () => {
    const response = await fetch(new URL('/avatars/999999-1.webp', server.url));
    expect(response.status).toBe(404);
  });
});

describe('signed out', () => {
  it.each([
    ['users.byUsername', () => server.client().users.byUsername.query({ username: 'someone' })],
    ['users.updateProfile', () => server.client().users.updateProfile.mutate({ bio: 'hi' })],
    ['users.setAvatar', () => server.client().users.setAvatar.mutate({ image: 'iVBORw0KGgo=' })],
  ])('%s answers UNAUTHORIZED', async (_, call) => {
    const error = await rejection(call());
    expect(error.data?.code).toBe('UNAUTHORIZED');
  });
});
