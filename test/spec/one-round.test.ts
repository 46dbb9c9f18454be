/**
 * One round of validation: the schema's problems, the spec's rules and the backend's and router's checks
 * are reported together, each once, at the place it is written.
 */
import { Backend, InstanceTypeCatalog, KServeMode, Router, synthesize } from '../../src';
import { parseConfig, synthesizeConfig } from '../../src/config';
import { issuesOf } from '../support/issues';


const model = (storageUri: string, format: string) => ({ type: 'model', storageUri, format });

describe('one round of validation in code', () => {
  test('fails with weight 120, cpu.3 on main, a misspelled format and an invalid version name all at once, cpu.3 once', () => {
    // given a definition with a schema error, an unknown instance type inherited by every canary,
    // a format KServe cannot serve and a version name that is no DNS label
    const input = {
      name: 'summarizer',
      main: { artifact: model('s3://models/v1', 'sklern'), instanceType: 'cpu.3' },
      versions: {
        v2: { weight: 120, artifact: model('s3://models/v2', 'sklearn') },
        Bad_Name: { weight: 5, artifact: model('s3://models/v3', 'xgboost') },
      },
    };
    // when it is rendered
    const problems = issuesOf(() => synthesize(input, { backend: Backend.kserve() }));
    // then every problem is reported, each once, at the place it is written
    expect(problems).toEqual([
      'versions.v2.weight: must be a whole percent from 0 to 100, got 120; 0 is a dark launch',
      expect.stringMatching(/^main\.instanceType: unknown instance type "cpu\.3"; did you mean "cpu\.1"\?/),
      expect.stringMatching(/^versions\.Bad_Name: version name "Bad_Name" must be a DNS-1123 label/),
      expect.stringMatching(/^main\.artifact\.format: no runtime of KServe's serves format "sklern"; did you mean "sklearn"\?/),
    ]);
  });

  test('a mistake inherited from main is reported once, at main, by the spec and by the backend', () => {
    const problems = issuesOf(() =>
      synthesize(
        { name: 'svc', main: { artifact: model('s3://m/v1', 'sklern'), instanceType: 'cpu.3' }, versions: { v2: { weight: 10 }, v3: { weight: 10 } } },
        { backend: Backend.kserve({ mode: KServeMode.STANDARD }) },
      ),
    );
    expect(problems.filter((p) => p.includes('cpu.3'))).toEqual([expect.stringMatching(/^main\.instanceType:/)]);
    expect(problems.filter((p) => p.includes('sklern'))).toEqual([expect.stringMatching(/^main\.artifact\.format:/)]);
  });

  test('a refused value says nothing more about itself: no "required" for an artifact whose image was refused', () => {
    const problems = issuesOf(() =>
      synthesize({ name: 'svc', main: { artifact: { type: 'image', image: 'has spaces' } }, versions: { v2: { weight: 10, artifact: model('s3://m', 'sklern') } } }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^main\.artifact\.image: /),
      expect.stringMatching(/^versions\.v2\.artifact\.format: no runtime of KServe's serves format "sklern"/),
    ]);
  });

  test('a bad backend name and the definition\'s own problems come together', () => {
    const problems = issuesOf(() =>
      synthesize({ name: 'svc', main: { artifact: model('s3://m', 'sklearn') }, versions: { v2: { weight: 101 } } }, { backend: 'seldn' as unknown as Backend }),
    );
    expect(problems).toEqual([
      'versions.v2.weight: must be a whole percent from 0 to 100, got 101; 0 is a dark launch',
      expect.stringMatching(/^backend: unknown backend "seldn"; did you mean "seldon"\?/),
    ]);
  });

  test('the router\'s refusal comes with the spec\'s problems', () => {
    const problems = issuesOf(() =>
      synthesize(
        { name: 'svc', routing: { type: 'header', key: 'x-user' }, main: { artifact: model('s3://m', 'sklearn'), instanceType: 'cpu.3' }, versions: { v2: { weight: 10 } } },
        { backend: Backend.kserve(), router: Router.native() },
      ),
    );
    expect(problems).toEqual([expect.stringMatching(/^main\.instanceType: unknown instance type/), expect.stringMatching(/^routing\.type: /)]);
  });

  test('a custom catalog\'s types are known in the same round', () => {
    const catalog = InstanceTypeCatalog.defaults().with('cpu.3', { cpu: '3', memory: '6Gi' });
    expect(() => synthesize({ name: 'svc', main: { artifact: model('s3://m', 'sklearn'), instanceType: 'cpu.3' } }, { instanceTypes: catalog })).not.toThrow();
  });
});

describe('one round of validation in a file', () => {
  const text = [
    'name: summarizer',
    'model:',
    '  storage_uri: s3://models/v1',
    '  format: sklern',
    'services:',
    '  summarizer:',
    '    instance_type: cpu.3',
    'canary:',
    '  versions:',
    '    Bad_Name:',
    '      weight: 5',
    '    v2:',
    '      weight: 120',
    '      colour: blue',
    '',
  ].join('\n');

  test('fails with the file\'s shape, the spec\'s rules and the backend\'s checks in one run, in the file\'s order', () => {
    const problems = issuesOf(() => synthesizeConfig(parseConfig(text, 'svc.yaml')));
    expect(problems).toEqual([
      expect.stringMatching(/^svc\.yaml:4:3 model\.format: no runtime of KServe's serves format "sklern"/),
      expect.stringMatching(/^svc\.yaml:7:5 services\.summarizer\.instance_type: unknown instance type "cpu\.3"/),
      expect.stringMatching(/^svc\.yaml:10:5 canary\.versions\.Bad_Name: version name "Bad_Name" must be a DNS-1123 label/),
      'svc.yaml:13:7 canary.versions.v2.weight: must be a whole percent from 0 to 100, got 120; 0 is a dark launch',
      expect.stringMatching(/^svc\.yaml:14:7 canary\.versions\.v2\.colour: unknown key/),
    ]);
  });
});
