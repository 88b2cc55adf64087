import type { ScenarioFile } from './app';

/**
 * Recording orders of a scenario file's facts: the order each fact needs (drafted before adopted
 * or signed, concluded before it ends, a provision added before it is assessed, a withdrawal
 * before the re-joining), the chronological order and seeded shuffles that respect it.
 */

type Step = ScenarioFile['steps'][number];

const CONCLUDING = new Set(['AdoptAgreement', 'SignAgreement']);
const STARTING = new Set(['DraftAgreement', 'OpenProcess']);
const NEED_CONCLUDED = new Set(['BringIntoForce', 'RecordAccession', 'ReportBreach', 'TerminateAgreement', 'SupersedeAgreement']);
const NEED_IN_FORCE = new Set(['SuspendAgreement', 'ExpireAgreement']);

/** Where a fact starts in business time (the earliest instant of an interval), in epoch ms. */
export function businessStart(occurredAt: string): number {
  const start = Date.parse(occurredAt.split('/')[0]);
  if (Number.isNaN(start)) throw new Error(`not a business time this helper reads: ${occurredAt}`);
  return start;
}

const actorsOf = (step: Step): string[] => {
  const data = step.body.data ?? {};
  const actors = [...(data.adoptedBy ?? []), ...(data.signatories ?? [])];
  return actors.map((actor: { id: string }) => actor.id);
};
const partyOf = (step: Step): string | undefined => step.body.data?.party?.id;

/** For each step, the indexes of the steps (of the same stream) whose facts it needs recorded first. */
export function factNeeds(steps: readonly Step[]): number[][] {
  const start = steps.map((step) => businessStart(step.body.occurredAt));
  return steps.map((step, i) => {
    const stream = steps.map((_, j) => j).filter((j) => j !== i && steps[j].path === step.path);
    const where = (test: (other: Step) => boolean) => stream.filter((j) => test(steps[j]));
    /** The latest fact matching `test` at or before this one in business time. */
    const latestBefore = (test: (other: Step) => boolean) =>
      where(test)
        .filter((j) => start[j] <= start[i])
        .sort((a, b) => start[b] - start[a])
        .slice(0, 1);
    const firstOf = (test: (other: Step) => boolean) => where(test).sort((a, b) => start[a] - start[b]).slice(0, 1);
    const { type, data } = step.body;
    if (STARTING.has(type)) return [];
    const needs = [...where((other) => STARTING.has(other.body.type))];
    const party = partyOf(step);
    const binds = (other: Step) =>
      (CONCLUDING.has(other.body.type) && actorsOf(other).includes(party ?? '')) ||
      (other.body.type === 'RecordAccession' && partyOf(other) === party);
    const concluded = () => firstOf((other) => CONCLUDING.has(other.body.type));
    if (NEED_CONCLUDED.has(type)) needs.push(...concluded());
    if (NEED_IN_FORCE.has(type)) needs.push(...where((other) => other.body.type === 'BringIntoForce'));
    if (type === 'ResumeAgreement') needs.push(...latestBefore((other) => other.body.type === 'SuspendAgreement'));
    if (type === 'RatifyAgreement') needs.push(...firstOf((other) => CONCLUDING.has(other.body.type) && actorsOf(other).includes(party ?? '')));
    if (type === 'RecordWithdrawal') needs.push(...latestBefore(binds));
    if (type === 'RecordAccession') needs.push(...latestBefore((other) => other.body.type === 'RecordWithdrawal' && partyOf(other) === party));
    if (type === 'WithdrawDispute') needs.push(...latestBefore((other) => other.body.type === 'DisputeStatus' && partyOf(other) === party));
    if (data?.provisionId !== undefined && type !== 'AddProvision') {
      needs.push(...where((other) => other.body.type === 'AddProvision' && other.body.data.provisionId === data.provisionId));
    }
    return [...new Set(needs)];
  });
}

/** A recording order that respects `needs`: of the steps whose needs are recorded, the one with the lowest rank next. */
export function orderRespecting(needs: readonly number[][], rank: (index: number) => number[]): number[] {
  const recorded = new Set<number>();
  const order: number[] = [];
  const before = (a: number, b: number) => {
    const [ra, rb] = [rank(a), rank(b)];
    const k = ra.findIndex((value, n) => value !== rb[n]);
    return k >= 0 && ra[k] < rb[k];
  };
  while (order.length < needs.length) {
    const ready = needs.map((_, i) => i).filter((i) => !recorded.has(i) && needs[i].every((need) => recorded.has(need)));
    if (ready.length === 0) throw new Error('the needs of the steps form a cycle');
    const next = ready.reduce((best, i) => (before(i, best) ? i : best));
    recorded.add(next);
    order.push(next);
  }
  return order;
}

/** Whether every step comes after what it needs. */
export function respectsNeeds(order: readonly number[], needs: readonly number[][]): boolean {
  const position = new Map(order.map((index, n) => [index, n]));
  return order.every((index, n) => needs[index].every((need) => (position.get(need) ?? Infinity) < n));
}

/** Business order: by when each fact starts, then as the file has it. */
export function chronologicalOrder(steps: readonly Step[], needs: readonly number[][]): number[] {
  return orderRespecting(needs, (i) => [businessStart(steps[i].body.occurredAt), i]);
}

/** mulberry32: a small seeded generator, so a failing shuffle can be replayed by its seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffledOrder(needs: readonly number[][], seed: number): number[] {
  const random = seeded(seed);
  const priority = needs.map(() => random());
  return orderRespecting(needs, (i) => [priority[i], i]);
}
