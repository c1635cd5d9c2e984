import { goYamlNumber } from '../../client/plan/kube-yaml.js';
import { parseManifests } from '../../client/plan/manifests.js';

const configMap = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n${data}`;

describe('manifests read as kubectl reads them (go-yaml v2)', () => {
  test.each([
    ['0755', 493],
    ['010', 8],
    ['09', 9],
    ['0', 0],
    ['-0', 0],
    ['0x1F', 31],
    ['0X1f', 31],
    ['0o17', 15],
    ['0b101', 5],
    ['-0b101', -5],
    ['+12', 12],
    ['1_000', 1000],
    ['0x_1F', 31],
    ['1e3', 1000],
    ['-1E3', -1000],
    ['1.', 1],
    ['.5', 0.5],
    ['.5e1', 5],
    ['.5_0', 0.5],
    ['+.5', 0.5],
    ['18446744073709551615', 2 ** 64],
  ])('%s is the number %d', (scalar, value) => {
    expect(goYamlNumber(scalar)).toBe(value);
  });

  test.each(['0x', '0b2', '0o8', '1e400', '.', '-', '+_', '1.2.3', '12:30', '2001-12-14', 'e3', '.e3'])(
    '%s stays a string',
    (scalar) => {
      expect(goYamlNumber(scalar)).toBeUndefined();
    },
  );

  test('YAML 1.1 booleans, octals and nulls, as kubectl sends them; quoted scalars stay strings', () => {
    const [object] = parseManifests(
      configMap(
        'spec:\n  a: yes\n  b: Off\n  c: y\n  d: 0755\n  e: ~\n  f: "yes"\n  g: \'0755\'\n  h: 12:30\n',
      ),
      'app.yaml',
    );
    expect(object.spec).toEqual({
      a: true,
      b: false,
      c: true,
      d: 493,
      e: null,
      f: 'yes',
      g: '0755',
      h: '12:30',
    });
  });

  test('merge keys merge', () => {
    const [object] = parseManifests(
      configMap('base: &base\n  a: 1\n  b: 2\nspec:\n  <<: *base\n  b: 3\n'),
      'app.yaml',
    );
    expect(object.spec).toEqual({ a: 1, b: 3 });
  });

  test('infinity and NaN, which JSON cannot hold, are refused with the file and line named', () => {
    // Line 13: the second document starts on line 7.
    const text = `${configMap('data:\n  a: "1"\n')}---\n${configMap('spec:\n  limit: .inf\n')}`;
    expect(() => parseManifests(text, 'app.yaml')).toThrow(
      'app.yaml, line 13: .inf is a YAML 1.1 float JSON cannot hold; quote it if it is a string',
    );
    expect(() => parseManifests(configMap('spec:\n  ratio: [1, .NaN]\n'), 'app.yaml')).toThrow(
      'app.yaml, line 6: ',
    );
  });
});
