import { z } from 'zod';
import { plainProblem } from '../../shared/validation-messages.ts';

// zod compiles object parsers with `new Function` when it can, and probes for that with a try/catch. The server's
// Content-Security-Policy (script-src 'self') forbids eval, so each probe logs a CSP violation in the console.
// Parsing a few form fields needs no compiler: turn it off. Must run before any schema is built (main.tsx
// imports this first).
z.config({ jitless: true });
// Input problems in words a person reads, wherever a schema has none of its own (the server says the same).
z.config({ customError: plainProblem });
