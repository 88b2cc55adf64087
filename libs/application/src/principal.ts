export const ROLES = ['reader', 'operator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who sent a command: recorded as the events' actor. */
export interface Principal {
  name: string;
  role: Role;
}
