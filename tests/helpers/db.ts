import pg from 'pg';

/** A direct connection to a test server's database, to look at what is stored and to age rows. */
export async function connectDatabase(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return client;
}
