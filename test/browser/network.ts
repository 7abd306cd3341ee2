import { executeServerCommand } from '@web/test-runner-commands';

/**
 * What the network does with this page's requests for a source module (`name`, the file name
 * without its extension): 'pass', 'fail' (as offline) or 'hold' (answered once the mode changes).
 * See the `route` command in web-test-runner.config.mjs. The dev server is asked for the module
 * as imported (.js); its source is the .ts file: both are routed.
 */
export async function routeModule(name: string, mode: 'pass' | 'fail' | 'hold'): Promise<void> {
  for (const file of [`${name}.js`, `${name}.ts`]) await executeServerCommand('route', { file, mode });
}
