import type { ProcessView } from '@agreements/domain';

export type PresentedProcess = ProcessView & {
  /** The participants grouped by role (an actor may hold several roles), roles in the domain's order. */
  participantsByRole: Record<string, ProcessView['participants']>;
};

const ROLE_ORDER = ['party', 'guarantor', 'mediator', 'observer', 'host'];

/** The domain's process view, with the participants also grouped by role. */
export function presentProcess(view: ProcessView): PresentedProcess {
  const byRole: Record<string, ProcessView['participants']> = {};
  const roles = [...new Set(view.participants.map((p) => p.role as string))].sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  );
  for (const role of roles) byRole[role] = view.participants.filter((p) => p.role === role);
  return { ...view, participantsByRole: byRole };
}

function rank(role: string): number {
  const index = ROLE_ORDER.indexOf(role);
  return index < 0 ? ROLE_ORDER.length : index;
}
