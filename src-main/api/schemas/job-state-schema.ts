/** Where a forward job is in its life (routing/job-state-machine.ts says which moves are allowed). */
import { z } from 'zod';

export const jobState = z.enum(['queued', 'sending', 'sent', 'retry-wait', 'dead', 'cancelled']);
