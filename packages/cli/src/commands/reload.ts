import type { Command } from 'commander';
import type { ReloadResult } from '@zerodown/core/cluster';
import { loadCluster } from '../core-loader';
import { EXIT } from '../exit-codes';
import { durationOption, formatMs } from '../parse';
import { resolveSocket, type SocketOptions } from '../socket';
import { addSocketOptions, type Run } from './local';

interface ReloadCliOptions extends SocketOptions {
  json?: boolean;
  timeout: number;
}

/** Registers `reload`. */
export function registerReloadCommand(program: Command, run: Run): void {
  addSocketOptions(program.command('reload').description('replace every worker of a `zerodown serve` master with the code on disk now, one by one; exits 0 once every worker runs it, 1 (old workers still serving) when the new release is not ready'))
    .addOption(durationOption('--timeout <duration>', 'stop waiting for the reload after this (it goes on in the master)', 60 * 60 * 1000))
    .action((opts: ReloadCliOptions, cmd: Command) =>
      run(async (out) => {
        const { requestReload, ReloadRequestError } = loadCluster();
        const socket = await resolveSocket(opts);
        let result: ReloadResult;
        try {
          result = await requestReload(socket, (e) => out.note(`reload: ${e.message} (${formatMs(e.elapsedMs)})`), { timeoutMs: opts.timeout });
        } catch (error) {
          if (error instanceof ReloadRequestError && error.stderr.length) out.note(`last stderr lines of the new worker:\n${error.stderr.map((l) => `  | ${l}`).join('\n')}`);
          throw error;
        }
        out.result(result, () => `reloaded: ${result.started.length} worker(s) (${result.started.join(', ')}) run ${result.release.package ?? result.release.entry} in ${formatMs(result.durationMs)}; replaced ${result.replaced.join(', ')}`);
        return EXIT.ok;
      }, opts.json, cmd),
    );
}
