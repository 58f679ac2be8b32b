/**
 * The machine's FFmpeg capacity, shared by every render: one slot per core. A process takes one
 * slot, or more when its memory needs a bigger share of the budget. Waiters are served strictly in
 * ticket order (source, then group), never out of turn, so processes start in the same order on
 * every run — the order `--print-commands` prints — and sources overlap: the next source's first
 * process starts as soon as a core frees up, instead of waiting for the slowest process of the last.
 */
export type Ticket = readonly number[];

export interface ProcessSlots {
  readonly capacity: number;
  /** Resolves, with its release, once `weight` slots are free and no earlier ticket waits. */
  acquire(weight: number, ticket: Ticket): Promise<() => void>;
}

interface Waiter {
  weight: number;
  ticket: Ticket;
  grant: (release: () => void) => void;
}

export function createProcessSlots(capacity: number): ProcessSlots {
  const size = Math.max(1, Math.floor(capacity));
  let free = size;
  const waiting: Waiter[] = [];
  const serve = () => {
    waiting.sort((a, b) => compareTickets(a.ticket, b.ticket));
    while (waiting.length > 0 && (waiting[0] as Waiter).weight <= free) {
      const waiter = waiting.shift() as Waiter;
      free -= waiter.weight;
      let released = false;
      waiter.grant(() => {
        if (released) return;
        released = true;
        free += waiter.weight;
        serve();
      });
    }
  };
  return {
    capacity: size,
    acquire(weight, ticket) {
      return new Promise((grant) => {
        waiting.push({ weight: Math.min(size, Math.max(1, Math.ceil(weight))), ticket, grant });
        serve();
      });
    },
  };
}

export function compareTickets(a: Ticket, b: Ticket): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
