import { z } from 'zod';

/**
 * Input problems said as sentences a person reads (after the field's name: "limit: The least allowed is 1."),
 * where a schema gives no words of its own. zod's defaults are written for programmers ("Too small: expected
 * number to be >=1"). Set once per process with `z.config({ customError: plainProblem })`: the server's tRPC
 * setup and the web client's zod set-up; what it does not cover falls back to zod's own.
 */
export const plainProblem: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'This is required.';
      if (issue.expected === 'int' && typeof issue.input === 'number') return 'Expected a whole number.';
      return `Expected ${typeName(issue.expected)}, not ${typeName(z.core.util.parsedType(issue.input))}.`;
    case 'too_small':
      return tooSmall(issue.origin, Number(issue.minimum), issue.inclusive !== false);
    case 'too_big':
      return tooBig(issue.origin, Number(issue.maximum), issue.inclusive !== false);
    case 'invalid_value':
      return issue.values.length === 1
        ? `Expected ${JSON.stringify(issue.values[0])}.`
        : `Expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}.`;
    case 'unrecognized_keys':
      return `${issue.keys.length > 1 ? 'These fields are' : 'This field is'} not known: ${issue.keys.join(', ')}.`;
    case 'invalid_format':
      return issue.format === 'email' ? 'Expected an email address.' : undefined;
    default:
      return undefined;
  }
};

const typeNames: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  nan: 'not a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
  date: 'a date',
  bigint: 'a number',
};

const typeName = (type: string) => typeNames[type] ?? type;

const units: Record<string, string> = { string: 'characters', array: 'items', set: 'items', file: 'bytes' };

function tooSmall(origin: string | undefined, minimum: number, inclusive: boolean): string {
  const unit = origin && units[origin];
  if (unit === 'characters' && minimum === 1 && inclusive) return 'This cannot be empty.';
  if (unit) return inclusive ? `At least ${minimum} ${unit}.` : `More than ${minimum} ${unit}.`;
  return inclusive ? `The least allowed is ${minimum}.` : `Must be more than ${minimum}.`;
}

function tooBig(origin: string | undefined, maximum: number, inclusive: boolean): string {
  const unit = origin && units[origin];
  if (unit) return inclusive ? `At most ${maximum} ${unit}.` : `Fewer than ${maximum} ${unit}.`;
  return inclusive ? `The most allowed is ${maximum}.` : `Must be less than ${maximum}.`;
}
