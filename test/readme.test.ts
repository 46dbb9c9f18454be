import * as fs from 'fs';
import * as path from 'path';
import { backendCapabilityTable, instanceTypeTable, routerCapabilityTable } from '../src/tables';

const README = fs.readFileSync(path.resolve(__dirname, '../README.md'), 'utf8');

function section(name: string): string {
  const m = new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)\\n<!-- ${name}:end -->`).exec(README);
  if (!m) throw new Error(`README has no ${name} section`);
  return m[1];
}

describe('README', () => {
  test.each([
    ['instance-types', instanceTypeTable],
    ['backends', backendCapabilityTable],
    ['routers', routerCapabilityTable],
  ])('the %s table is the one the code checks against', (name, render) => {
    expect(section(name)).toBe(render());
  });

  test('states the two commands, and .ci/run runs the test command', () => {
    expect(README).toContain('npm ci && npm run example');
    expect(README).toContain('npm test ');
    const ci = fs.readFileSync(path.resolve(__dirname, '../.ci/run'), 'utf8');
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
