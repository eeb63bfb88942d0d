import { BaseRpcContext } from '@nestjs/microservices';

/** Request context of the embedded transport: the channel the batch arrived on. */
export class EmbeddedContext extends BaseRpcContext<[string]> {
  getChannel(): string {
    return this.args[0];
  }
}
