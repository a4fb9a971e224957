import { KubetraceError } from '../../core/errors';

export async function run(_argv: string[]): Promise<number> {
  throw new KubetraceError('`kubetrace sandbox` is not built yet');
}
