/** `npm run bench`: every benchmark, one after the other. Each builds its own database and drops it when done. */
import { runSearchBench } from './search.ts';

await runSearchBench();
