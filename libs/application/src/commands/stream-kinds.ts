import {
  agreementCommandDataSchemas,
  agreementDecider,
  processCommandDataSchemas,
  processDecider,
} from '@agreements/domain';
import type { CommandDecider } from '@agreements/event-store';
import { CommandValidator } from './command-validation';

/** What differs between the two kinds of stream; everything else on the command path is shared. */
export interface StreamKind {
  name: 'agreement' | 'process';
  /** The path parameter that names the stream (agreementId / processId). */
  idParam: string;
  streamId(id: string): string;
  decider: CommandDecider<any, any>;
  validator: CommandValidator;
}

export const AGREEMENTS: StreamKind = {
  name: 'agreement',
  idParam: 'agreementId',
  streamId: (id) => `agreement-${id}`,
  decider: agreementDecider as unknown as CommandDecider<any, any>,
  validator: new CommandValidator('agreement', agreementCommandDataSchemas),
};

export const PROCESSES: StreamKind = {
  name: 'process',
  idParam: 'processId',
  streamId: (id) => `process-${id}`,
  decider: processDecider as unknown as CommandDecider<any, any>,
  validator: new CommandValidator('process', processCommandDataSchemas),
};
