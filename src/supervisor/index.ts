// `gateway --conf tyk.conf`: one gateway process (plugin_gateway.workers 1, as Tyk runs), a supervisor and its
// workers (more), or, when the supervisor started this process, one of those workers.
import { loadTykConf } from "../config/tyk-conf.ts";
import type { Runtime } from "../runtime/index.ts";
import { runGateway, type StartOptions } from "../server/start.ts";
import { runSupervisor, workerCount } from "./supervisor.ts";
import { WorkerLink } from "./worker.ts";

/** Runs the gateway the way tyk.conf and the environment say, until it is stopped; resolves with the exit code. */
export function runGatewayCommand(
  runtime: Runtime,
  confPath: string,
  opts: Pick<StartOptions, "dev"> = {},
): Promise<number> {
  const worker = WorkerLink.fromEnvironment();
  if (worker) {
    return runGateway(runtime, confPath, { ...opts, worker }).catch((err) => {
      worker.detach();
      throw err;
    });
  }
  const { conf } = loadTykConf(confPath);
  const count = workerCount(conf.plugin_gateway.workers);
  return count > 1 ? runSupervisor(runtime, confPath, conf, count, opts) : runGateway(runtime, confPath, opts);
}
