import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { AgreementFilter, Page, PageRequest, ReadModelQueries, TimeQuery, View } from '@agreements/read-models';
import { READ_MODELS } from '../tokens';

export class GetAgreementQuery {
  constructor(readonly agreementId: string, readonly time: TimeQuery) {}
}
export class GetAgreementTimelineQuery {
  constructor(readonly agreementId: string, readonly time: TimeQuery) {}
}
export class ListAgreementsQuery {
  constructor(readonly filter: AgreementFilter, readonly page: PageRequest) {}
}
export class GetProcessQuery {
  constructor(readonly processId: string, readonly time: TimeQuery) {}
}
export class ListProcessesQuery {
  constructor(readonly page: PageRequest) {}
}

@QueryHandler(GetAgreementQuery)
export class GetAgreementHandler implements IQueryHandler<GetAgreementQuery, View | undefined> {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelQueries) {}
  execute(q: GetAgreementQuery) {
    return this.readModels.getAgreement(q.agreementId, q.time);
  }
}

@QueryHandler(GetAgreementTimelineQuery)
export class GetAgreementTimelineHandler implements IQueryHandler<GetAgreementTimelineQuery, View | undefined> {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelQueries) {}
  execute(q: GetAgreementTimelineQuery) {
    return this.readModels.getAgreementTimeline(q.agreementId, q.time);
  }
}

@QueryHandler(ListAgreementsQuery)
export class ListAgreementsHandler implements IQueryHandler<ListAgreementsQuery, Page<View>> {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelQueries) {}
  execute(q: ListAgreementsQuery) {
    return this.readModels.listAgreements(q.filter, q.page);
  }
}

@QueryHandler(GetProcessQuery)
export class GetProcessHandler implements IQueryHandler<GetProcessQuery, View | undefined> {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelQueries) {}
  execute(q: GetProcessQuery) {
    return this.readModels.getProcess(q.processId, q.time);
  }
}

@QueryHandler(ListProcessesQuery)
export class ListProcessesHandler implements IQueryHandler<ListProcessesQuery, Page<View>> {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelQueries) {}
  execute(q: ListProcessesQuery) {
    return this.readModels.listProcesses(q.page);
  }
}

export const QUERY_HANDLERS = [
  GetAgreementHandler,
  GetAgreementTimelineHandler,
  ListAgreementsHandler,
  GetProcessHandler,
  ListProcessesHandler,
];
