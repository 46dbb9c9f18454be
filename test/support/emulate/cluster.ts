/**
 * The whole emulated cluster: every controller's emulation over one set of
 * manifests (KServe and Knative, Seldon Core v1 and v2, Argo Rollouts with
 * the v1 Services, Istio and Gateway API objects), and the images the tests
 * know. `clusterServingProblems` says why the manifests would not serve.
 */
import { emulateArgo } from './argo';
import { BENTO_IMAGE, envValue, imageResolver } from './images';
import { emulateKServe, KSERVE_IMAGES, KServeEmulationOptions } from './kserve';
import { emulateSeldon, emulateSeldonV2, resolveSeldonImage } from './seldon';
import { servingProblems } from './serving';
import { Container, Emulation, ImageBehaviour, ImageResolver, merge } from './types';
import { KubeObject } from '../../../src/backends';

/**
 * The model formats of KServe's default runtimes whose images the emulation knows: torchserve (pytorch)
 * and vLLM are not emulated, so tests that judge serving use these.
 */
export const KSERVE_EMULATED_FORMATS: readonly string[] = [
  'sklearn', 'xgboost', 'lightgbm', 'huggingface', 'pmml', 'paddle', 'tensorflow', 'onnx', 'triton', 'tensorrt', 'mlflow',
];

/** Every controller's view of `objects`. */
export function emulateCluster(objects: readonly KubeObject[], kserve: KServeEmulationOptions = {}): Emulation {
  return merge(emulateKServe(objects, kserve), emulateSeldon(objects), emulateSeldonV2(objects), emulateArgo(objects));
}

/**
 * A model server image that declares its port, health path and user: listens on
 * $PORT (Knative sets it) or its own port, answers `readyPath`, writes /tmp, and
 * names its user (`USER app`), so the kubelet needs a numeric runAsUser.
 */
export function declaredImage(port: number, readyPath: string): ImageBehaviour {
  return {
    source: 'a model server image of the tests: USER app, listens on $PORT or its declared port',
    user: 'app',
    readyPaths: [readyPath],
    listens: (c: Container) => [Number(envValue(c, 'PORT') ?? port)],
    writes: () => ['/tmp'],
  };
}

/** The images of `objects`: bentos (given by reference), declared images, and the stacks' own images. */
export function clusterImages(bentos: readonly string[], declared: Record<string, ImageBehaviour> = {}): ImageResolver {
  const entries: Record<string, ImageBehaviour> = { ...declared };
  for (const b of bentos) entries[b] = BENTO_IMAGE;
  return imageResolver(entries, KSERVE_IMAGES, resolveSeldonImage);
}

/** Why `objects` would not serve once applied, one line each; empty when every version serves. */
export function clusterServingProblems(objects: readonly KubeObject[], images: ImageResolver, kserve: KServeEmulationOptions = {}): string[] {
  return servingProblems(emulateCluster(objects, kserve), images);
}
