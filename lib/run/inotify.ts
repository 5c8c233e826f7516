import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { HarnessError } from '../kit/errors.ts';

// Every kind node runs systemd, containerd and a kubelet, each holding inotify instances, and all of them count
// against the host's fs.inotify.max_user_instances for root (kind's "known issues" page). Measured here: 27 on a
// control-plane node, 14-15 on a worker. Past the limit the node's kubelet cannot start, the API server never
// answers, and kubeadm fails four minutes later with "wait-control-plane" (seen with two other 3-node clusters up).

/** Instances a new node takes, with some room: a control plane, then each worker. */
export const INOTIFY_PER_CONTROL_PLANE = 30;
export const INOTIFY_PER_WORKER = 16;

export interface InotifyUse {
  max: number;
  used: number;
}

/** The host's limit and the instances in use now (every process's), or undefined when /proc cannot tell. */
export function readInotifyUse(proc = '/proc'): InotifyUse | undefined {
  try {
    const max = Number(readFileSync(`${proc}/sys/fs/inotify/max_user_instances`, 'utf8').trim());
    let used = 0;
    for (const pid of readdirSync(proc).filter((d) => /^\d+$/.test(d))) {
      let fds: string[];
      try {
        fds = readdirSync(`${proc}/${pid}/fd`);
      } catch {
        continue; // gone, or not ours to read
      }
      for (const fd of fds) {
        try {
          if (readlinkSync(`${proc}/${pid}/fd/${fd}`) === 'anon_inode:inotify') used++;
        } catch {
          // closed meanwhile
        }
      }
    }
    return Number.isFinite(max) && max > 0 ? { max, used } : undefined;
  } catch {
    return undefined;
  }
}

/** Refuses a cluster of `nodes` the host's inotify limit cannot hold, before kind spends four minutes finding out. */
export function checkInotifyRoom(use: InotifyUse | undefined, nodes: number): void {
  if (!use) return;
  const needed = INOTIFY_PER_CONTROL_PLANE + INOTIFY_PER_WORKER * Math.max(0, nodes - 1);
  const free = use.max - use.used;
  if (free >= needed) return;
  throw new HarnessError('creating the kind cluster',
    `${use.used} of the host's ${use.max} inotify instances (fs.inotify.max_user_instances) are in use; ${nodes} kind node${nodes === 1 ? '' : 's'} need about ${needed}, and a kubelet without one never starts`,
    'delete kind clusters you no longer need (kind get clusters), or raise the limit: sysctl -w fs.inotify.max_user_instances=512');
}
