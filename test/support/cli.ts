import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { main } from '../../src/cli/main';

export const EXAMPLES = path.resolve(__dirname, '../../examples/bentocloud');

/** Result of one CLI run. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process. */
export function runCli(...argv: string[]): CliRun {
  let stdout = '';
  let stderr = '';
  const code = main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

let dir: string | undefined;

/** Writes `text` to a fresh temporary file and returns its path. */
export function writeTemp(name: string, text: string): string {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'canary-inference-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The BentoCloud example from BentoCloud's documentation, unchanged. */
export function bentoCloudExampleText(): string {
  return fs.readFileSync(path.join(EXAMPLES, 'summarization.yaml'), 'utf8');
}

/** The BentoCloud example, changed by `edit`, written to a temporary file. */
export function exampleVariant(name: string, edit: (doc: any) => void): string {
  const doc = parse(bentoCloudExampleText());
  edit(doc);
  return writeTemp(name, stringify(doc));
}

/** Replaces every version's bento (main's too) with a model artifact of the given format. */
export function withModels(doc: any, format = 'huggingface'): void {
  const toModel = (v: any, id: string) => {
    delete v.bento;
    v.model = { storage_uri: `s3://models/summarization/${id}`, format };
  };
  toModel(doc, 'main');
  for (const [name, v] of Object.entries<any>(doc.canary.versions)) toModel(v, name);
}
