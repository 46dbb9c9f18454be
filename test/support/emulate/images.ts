/**
 * What the images our manifests run do once started: their USER, the ports
 * they listen on, the paths they answer health checks on and the paths they
 * write. Each behaviour is written from the upstream Dockerfile template and
 * server source (cited per rule); nothing here is copied from upstream.
 */
import type { Container, ImageBehaviour, ImageResolver } from './types';

/** Paths an image ships and its server reads at run time; a volume mounted at or above one hides it. */
export interface ImageContents {
  readonly needs?: (container: Container) => readonly string[];
}

/** The value a container sets for an environment variable (literal values only). */
export function envValue(container: Container, name: string): string | undefined {
  // The kubelet uses the last entry when a name repeats (later entries win).
  let value: string | undefined;
  for (const e of container.env ?? []) {
    if (e.name === name && e.value !== undefined) value = e.value;
  }
  return value;
}

/** The value of `--flag N` or `--flag=N` in the container's args, when any. */
function flagValue(container: Container, flag: string): string | undefined {
  const args = container.args ?? [];
  let value: string | undefined;
  args.forEach((a, i) => {
    if (a === flag && i + 1 < args.length) value = args[i + 1];
    else if (a.startsWith(`${flag}=`)) value = a.slice(flag.length + 1);
  });
  return value;
}

/** A directory path without trailing slashes ("/" stays "/"). */
function trimSlash(p: string): string {
  const t = p.replace(/\/+$/, '');
  return t === '' ? '/' : t;
}

/**
 * A container built by `bentoml containerize` (BentoML 1.x, the `base_v2.j2` template), run with its
 * default entrypoint (no `command` override), which starts `bentoml serve $BENTO_PATH`.
 */
export const BENTO_IMAGE: ImageBehaviour & ImageContents = {
  source:
    'bentoml/BentoML src/bentoml/_internal/container/generate.py, ' +
    'src/bentoml/_internal/container/frontend/dockerfile/templates/base_v2.j2 and entrypoint.sh, ' +
    'src/bentoml/_internal/configuration/containers.py, src/bentoml/serving.py, ' +
    'src/_bentoml_impl/server/serving.py, src/bentoml/_internal/server/base_app.py',

  // templates/base_v2.j2 (SETUP_BENTO_USER, SETUP_BENTO_ENTRYPOINT) and generate.py (BENTO_USER, BENTO_UID_GID):
  // the user `bentoml` is created with uid/gid 1034, but the image's USER line names it, so the
  // runtime reports a user NAME, which the kubelet cannot check against runAsNonRoot.
  user: 'bentoml',

  // Port precedence, highest first:
  //  - `--port N` in the args (bentoml_cli/serve.py: a click option; the entrypoint appends the args to `bentoml serve`);
  //  - $PORT (entrypoint.sh exports BENTOML_PORT=$PORT when PORT is set);
  //  - $BENTOML_PORT (the click option's envvar in bentoml_cli/serve.py);
  //  - 3000 (configuration/v2/default_configuration.yaml api_server.http.port; base_v2.j2 EXPOSE 3000).
  // Health and metrics routes share this port (server/base_app.py).
  listens(container: Container): readonly number[] {
    const raw = flagValue(container, '--port') ?? envValue(container, 'PORT') ?? envValue(container, 'BENTOML_PORT');
    const port = raw === undefined ? 3000 : Number(raw);
    return Number.isInteger(port) && port > 0 ? [port] : [];
  },

  // server/base_app.py get_system_routes: /livez and /healthz (both the liveness handler) and /readyz.
  readyPaths: ['/readyz', '/livez', '/healthz'],

  writes(container: Container): readonly string[] {
    // base_v2.j2 sets ENV BENTOML_HOME=/home/bentoml/ (generate.py BENTO_HOME); the pod's env overrides it.
    const home = trimSlash(envValue(container, 'BENTOML_HOME') ?? '/home/bentoml/');
    // configuration/containers.py bentoml_home(): on first use it creates (mkdir when missing) the
    // bentos/, models/, envs/ and tmp/ stores under BENTOML_HOME; serve_http resolves it on every start.
    const stores = ['bentos', 'models', 'envs', 'tmp'].map((d) => `${home}/${d}`);
    // configuration/containers.py prometheus_multiproc_dir = $BENTOML_HOME/prometheus_multiproc_dir;
    // serving.py ensure_prometheus_dir() empties/creates it before the workers start. BentoML then SETS
    // PROMETHEUS_MULTIPROC_DIR for its workers, so that variable cannot redirect it; only BENTOML_HOME can.
    const prometheus = `${home}/prometheus_multiproc_dir`;
    // _bentoml_impl/server/serving.py serve_http: tempfile.mkdtemp(prefix="bentoml-uds-") on every start;
    // Python's tempfile uses $TMPDIR, then $TEMP, then $TMP, then /tmp.
    const tmp = trimSlash(
      envValue(container, 'TMPDIR') ?? envValue(container, 'TEMP') ?? envValue(container, 'TMP') ?? '/tmp',
    );
    // utils/analytics/schemas.py get_client_info writes $BENTOML_HOME/client_id unless
    // BENTOML_DO_NOT_TRACK is "true" (utils/analytics/usage_stats.py do_not_track).
    const tracking = (envValue(container, 'BENTOML_DO_NOT_TRACK') ?? 'false').toLowerCase() !== 'true';
    return [...stores, prometheus, tmp, ...(tracking ? [`${home}/client_id`] : [])];
  },

  // base_v2.j2: ENV BENTO_PATH=/home/bentoml/bento, the bento (code, models, hf-models) copied there;
  // entrypoint.sh serves "$BENTO_PATH". A volume mounted over it (e.g. an emptyDir at /home/bentoml
  // to make BENTOML_HOME writable) hides the bento and the server cannot load it.
  needs(container: Container): readonly string[] {
    return [trimSlash(envValue(container, 'BENTO_PATH') ?? '/home/bentoml/bento')];
  },
};

/**
 * The repository path of an image reference, for matching: the registry host (a first component
 * holding `.` or `:`, or `localhost`), the tag and the digest are dropped, and Docker Hub's implicit
 * `library/` prefix is removed. `ghcr.io/acme/fraud:v2`, `acme/fraud@sha256:...` and `acme/fraud`
 * all give `acme/fraud`; `docker.io/library/python:3.12` and `python` both give `python`.
 */
export function repositoryPath(image: string): string {
  let ref = image.trim();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const parts = ref.split('/');
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) {
    parts.shift();
  }
  const last = parts.length - 1;
  const colon = parts[last].indexOf(':');
  if (colon >= 0) parts[last] = parts[last].slice(0, colon);
  if (parts.length === 2 && parts[0] === 'library') parts.shift();
  return parts.join('/');
}

/**
 * A resolver for the given images, keyed by image reference (any form: the key is reduced with
 * `repositoryPath` too, so a key `acme/fraud` matches `registry.example.com/acme/fraud:v2`).
 * An image not among the entries is passed to each fallback in turn; undefined when none knows it.
 */
export function imageResolver(
  entries: Record<string, ImageBehaviour>,
  ...fallbacks: ImageResolver[]
): ImageResolver {
  const byPath = new Map<string, ImageBehaviour>();
  for (const [key, behaviour] of Object.entries(entries)) byPath.set(repositoryPath(key), behaviour);
  return (image: string) => {
    const known = byPath.get(repositoryPath(image));
    if (known) return known;
    for (const f of fallbacks) {
      const b = f(image);
      if (b) return b;
    }
    return undefined;
  };
}
