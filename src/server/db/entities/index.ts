import { ApiToken } from './api-token.ts';
import { Session } from './session.ts';
import { User } from './user.ts';

export { ApiToken, Session, User };
export const entities = [User, Session, ApiToken];
