/**
 * Pod Security Standards `restricted` (plus our own floor: resources set and a
 * read-only root filesystem), checked over every pod spec an object carries.
 */
import { mergeServerPodSpec, SELDON_V2_SERVER_CONFIGS } from './emulate/seldon';

type Obj = Record<string, any>;

/** A pod spec inside an object, with its containers, where it was found. */
export interface PodSite {
  readonly where: string;
  readonly pod: Obj;
  readonly containers: readonly Obj[];
}

/** The pod specs of the kinds we emit. */
export function podSites(obj: Obj): PodSite[] {
  const name = `${obj.kind}/${obj.metadata?.name}`;
  const sites: PodSite[] = [];
  const predictor = (p: Obj | undefined, where: string) => {
    if (!p) return;
    const containers = [...(p.containers ?? []), ...(p.model ? [p.model] : [])];
    sites.push({ where, pod: p, containers });
  };
  switch (obj.kind) {
    case 'Rollout':
      sites.push({ where: `${name} spec.template.spec`, pod: obj.spec.template.spec, containers: obj.spec.template.spec.containers ?? [] });
      break;
    case 'InferenceService':
      predictor(obj.spec.predictor, `${name} spec.predictor`);
      (obj.spec.canary ?? []).forEach((c: Obj, i: number) => predictor(c.predictor, `${name} spec.canary[${i}].predictor`));
      break;
    case 'SeldonDeployment':
      obj.spec.predictors.forEach((p: Obj) =>
        (p.componentSpecs ?? []).forEach((c: Obj, i: number) =>
          sites.push({ where: `${name} predictor ${p.name} componentSpecs[${i}].spec`, pod: c.spec, containers: c.spec.containers ?? [] }),
        ),
      );
      break;
    case 'Server': {
      // the pod Seldon runs: our podSpec merged into the ServerConfig's (its agent and rclone containers included)
      const config = SELDON_V2_SERVER_CONFIGS[obj.spec.serverConfig];
      const pod = config ? mergeServerPodSpec(config, obj.spec.podSpec) : obj.spec.podSpec ?? {};
      sites.push({ where: `${name} spec.podSpec (merged into ServerConfig ${obj.spec.serverConfig})`, pod, containers: pod.containers ?? [] });
      break;
    }
    case 'Deployment':
    case 'StatefulSet':
    case 'Job':
      sites.push({ where: `${name} spec.template.spec`, pod: obj.spec.template.spec, containers: obj.spec.template.spec.containers ?? [] });
      break;
    default:
  }
  return sites;
}

const ALLOWED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** Every way the pods of `objects` fall short of `restricted` or of our floor, one line each. */
export function restrictedProblems(objects: readonly Obj[]): string[] {
  const out: string[] = [];
  for (const site of objects.flatMap(podSites)) {
    const { pod, containers, where } = site;
    const p = (msg: string) => out.push(`${where}: ${msg}`);
    for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[host]) p(`${host} must not be set`);
    const podSc = pod.securityContext ?? {};
    for (const v of pod.volumes ?? []) {
      const type = Object.keys(v).find((k) => k !== 'name');
      if (!type || !ALLOWED_VOLUMES.includes(type)) p(`volume ${v.name} of type ${type} is not allowed`);
    }
    if (containers.length === 0) p('no containers');
    containers.forEach((c, i) => {
      const at = `container ${c.name ?? i}`;
      const sc = c.securityContext ?? {};
      if (sc.privileged) p(`${at}: privileged`);
      if (sc.allowPrivilegeEscalation !== false) p(`${at}: allowPrivilegeEscalation must be false`);
      const drop: string[] = sc.capabilities?.drop ?? [];
      if (!drop.includes('ALL')) p(`${at}: capabilities must drop ALL`);
      for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') p(`${at}: capability ${cap} may not be added`);
      const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      if (nonRoot !== true) p(`${at}: runAsNonRoot must be true (container or pod)`);
      if ((sc.runAsUser ?? podSc.runAsUser) === 0) p(`${at}: runAsUser must not be 0`);
      const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') p(`${at}: seccompProfile must be RuntimeDefault or Localhost, got ${seccomp}`);
      for (const port of c.ports ?? []) if (port.hostPort) p(`${at}: hostPort ${port.hostPort}`);
      // our floor
      if (sc.readOnlyRootFilesystem !== true) p(`${at}: readOnlyRootFilesystem must be true`);
      if (!c.resources?.requests?.cpu) p(`${at}: a CPU request must be set`);
      if (!c.resources?.requests?.memory) p(`${at}: a memory request must be set`);
      if (!c.resources?.limits?.memory) p(`${at}: a memory limit must be set`);
      for (const m of c.volumeMounts ?? []) {
        if (!(pod.volumes ?? []).some((v: Obj) => v.name === m.name)) p(`${at}: mount ${m.mountPath} names no volume of the pod (${m.name})`);
      }
    });
  }
  return out;
}
