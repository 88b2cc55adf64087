import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole, type AuthenticatedRequest } from '../http/auth.guard';

/**
 * Who the token belongs to and what it may do: the console asks once after sign-in to offer
 * only what the role allows (recording forms for operators, history for auditors), instead of
 * learning it from refusals. Any known token may ask.
 */
@ApiTags('session')
@ApiBearerAuth()
@Controller('v1')
export class WhoamiController {
  @Get('whoami')
  @RequireRole('reader')
  @ApiOperation({ summary: "The caller's name (the actor recorded on its events) and role (reader, operator or auditor)" })
  whoami(@Req() request: AuthenticatedRequest): { name: string; role: string } {
    const principal = request.principal!;
    return { name: principal.name, role: principal.role };
  }
}
