import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { validationFailed } from '@agreements/application';
import { LedgerQueryError, type LedgerService } from '@agreements/ledger';
import { ApiError } from '../http/api-error';
import { RequireRole } from '../http/auth.guard';
import { ApiQueryParams } from '../http/query-docs';
import { parseQuery, type QueryLimits, type QuerySpec } from '../http/query-params';
import { LEDGER } from '../tokens';

const NONE: QuerySpec = {};
const HEADS: QuerySpec = { fromTreeSize: 'integer', limit: 'limit' };
const HEAD_LIMITS: QueryLimits = { defaultLimit: 100, maxLimit: 1000 };
const LEAVES: QuerySpec = { fromIndex: 'integer', limit: 'limit' };
const LEAF_LIMITS: QueryLimits = { defaultLimit: 1000, maxLimit: 1000 };
const INCLUSION: QuerySpec = { eventId: 'text', treeSize: 'integer' };
const CONSISTENCY: QuerySpec = { first: 'integer', second: 'integer' };

const ERROR = { $ref: '#/components/schemas/Error' };

/**
 * The auditor's view of the ledger (docs/auditing.md): the signing key, the signed tree heads,
 * the leaves and the RFC 9162 proofs. Nothing here trusts the caller with more than reads.
 */
@ApiTags('ledger')
@ApiBearerAuth()
@Controller('v1/ledger')
export class LedgerController {
  constructor(@Inject(LEDGER) private readonly ledger: LedgerService | undefined) {}

  private get kept(): LedgerService {
    if (!this.ledger) throw new ApiError(503, 'LEDGER_UNAVAILABLE', 'This process does not keep the ledger (RUN_LEDGER=false)');
    return this.ledger;
  }

  private answer<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof LedgerQueryError) {
        if (err.status === 404) throw new ApiError(404, err.code, err.message);
        throw validationFailed([{ field: err.field ?? 'query', message: err.message }]);
      }
      throw err;
    }
  }

  @Get('key')
  @RequireRole('auditor')
  @ApiOperation({ summary: 'The public key tree heads are signed with', description: '{ keyId, algorithm: "Ed25519", publicKey }: publicKey is SPKI PEM; keyId the SHA-256 hex of its DER bytes' })
  @ApiQueryParams(NONE)
  key(@Query() raw: Record<string, unknown>) {
    parseQuery(raw, NONE);
    return this.kept.key();
  }

  @Get('head')
  @RequireRole('auditor')
  @ApiOperation({ summary: 'The latest signed tree head', description: '{ treeSize, rootHash, timestamp, keyId, signature }: Ed25519 over the RFC 8785 bytes of { treeSize, rootHash, timestamp }, base64' })
  @ApiResponse({ status: 404, description: 'LEDGER_EMPTY: no head signed yet', schema: ERROR })
  @ApiQueryParams(NONE)
  head(@Query() raw: Record<string, unknown>) {
    parseQuery(raw, NONE);
    const head = this.kept.latestHead();
    if (!head) throw new ApiError(404, 'LEDGER_EMPTY', 'No tree head was signed yet: the log is empty');
    return head;
  }

  @Get('heads')
  @RequireRole('auditor')
  @ApiOperation({ summary: 'Every signed tree head, in tree-size order', description: '{ items, nextCursor }: pass nextCursor back as fromTreeSize' })
  @ApiQueryParams(HEADS, HEAD_LIMITS, { fromTreeSize: 'The smallest tree size to list (inclusive)', limit: '1 to 1000, default 100' })
  heads(@Query() raw: Record<string, unknown>) {
    const q = parseQuery(raw, HEADS, HEAD_LIMITS);
    return this.kept.heads((q.fromTreeSize as number | undefined) ?? 0, q.limit as number);
  }

  @Get('leaves')
  @RequireRole('auditor')
  @ApiOperation({
    summary: 'The leaves of the tree, in log order',
    description: '{ items: [{ index, leafHash, leaf }], nextIndex }: leaf is the JSON object whose RFC 8785 bytes are hashed (recomputed from the event store: if it does not hash to leafHash, the store changed)',
  })
  @ApiQueryParams(LEAVES, LEAF_LIMITS, { fromIndex: 'The first leaf index (0 = the first event)', limit: '1 to 1000, default 1000' })
  leaves(@Query() raw: Record<string, unknown>) {
    const q = parseQuery(raw, LEAVES, LEAF_LIMITS);
    return this.kept.leaves((q.fromIndex as number | undefined) ?? 0, q.limit as number);
  }

  @Get('proof/inclusion')
  @RequireRole('auditor')
  @ApiOperation({ summary: "An event's inclusion proof (RFC 9162 2.1.3)", description: '{ leafIndex, treeSize, leafHash, auditPath }; treeSize defaults to the latest head\'s and may not exceed it' })
  @ApiResponse({ status: 404, description: 'EVENT_NOT_FOUND', schema: ERROR })
  @ApiQueryParams(INCLUSION, {}, { eventId: 'The event id (required)', treeSize: "A signed head's tree size (default: the latest)" })
  inclusion(@Query() raw: Record<string, unknown>) {
    const q = parseQuery(raw, INCLUSION);
    if (q.eventId === undefined) throw validationFailed([{ field: 'eventId', message: 'is required' }]);
    return this.answer(() => this.kept.inclusionProof(String(q.eventId), q.treeSize as number | undefined));
  }

  @Get('proof/consistency')
  @RequireRole('auditor')
  @ApiOperation({ summary: 'A consistency proof between two tree sizes (RFC 9162 2.1.4)', description: '{ first, second, path }: the tree of first leaves is a prefix of the tree of second' })
  @ApiQueryParams(CONSISTENCY, {}, { first: 'The earlier tree size (required)', second: "The later tree size, at most the latest head's (required)" })
  consistency(@Query() raw: Record<string, unknown>) {
    const q = parseQuery(raw, CONSISTENCY);
    const missing = (['first', 'second'] as const).filter((name) => q[name] === undefined);
    if (missing.length) throw validationFailed(missing.map((field) => ({ field, message: 'is required' })));
    return this.answer(() => this.kept.consistencyProof(q.first as number, q.second as number));
  }
}
