import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from './errors.ts';
import {
  EVERYTHING_SELECTOR, NOTHING_SELECTOR, isEverythingSelector, labelSelectorFromSet, labelSelectorToString,
  matchesLabels, parseLabelSelector, selectorFromLabelSelector,
} from './labels.ts';

const LABEL_VALUE_MESSAGE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
  + "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
  + "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/** Asserts that parsing fails with a 400 BadRequest carrying exactly `message`. */
function assertParseError(text: string, message: string): void {
  assert.throws(() => parseLabelSelector(text), (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    assert.equal(err.message, message);
    return true;
  });
}

void describe('parseLabelSelector', () => {
  void it('treats the empty string (and pure whitespace) as select-everything', () => {
    for (const text of ['', '   ']) {
      const selector = parseLabelSelector(text);
      assert.equal(selector.requirements.length, 0);
      assert.ok(isEverythingSelector(selector));
      assert.equal(matchesLabels(selector, undefined), true);
      assert.equal(matchesLabels(selector, { any: 'thing' }), true);
    }
  });

  void it('matches equality with =, == and !=', () => {
    assert.equal(matchesLabels(parseLabelSelector('app=web'), { app: 'web' }), true);
    assert.equal(matchesLabels(parseLabelSelector('app=web'), { app: 'db' }), false);
    assert.equal(matchesLabels(parseLabelSelector('app=web'), {}), false);
    assert.equal(matchesLabels(parseLabelSelector('app==web'), { app: 'web' }), true);
    assert.equal(matchesLabels(parseLabelSelector('app!=web'), { app: 'db' }), true);
    assert.equal(matchesLabels(parseLabelSelector('app!=web'), { app: 'web' }), false);
    // != also selects objects that do not have the label at all.
    assert.equal(matchesLabels(parseLabelSelector('app!=web'), {}), true);
  });

  void it('reads a missing value after = as the empty value', () => {
    const selector = parseLabelSelector('app=');
    assert.deepEqual(selector.requirements[0].values, ['']);
    assert.equal(matchesLabels(selector, { app: '' }), true);
    assert.equal(matchesLabels(selector, { app: 'x' }), false);
  });

  void it('matches set operations written with spaces', () => {
    const inSet = parseLabelSelector('env in ( prod , staging )');
    assert.deepEqual(inSet.requirements[0], { key: 'env', operator: 'in', values: ['prod', 'staging'] });
    assert.equal(matchesLabels(inSet, { env: 'staging' }), true);
    assert.equal(matchesLabels(inSet, { env: 'dev' }), false);
    assert.equal(matchesLabels(inSet, {}), false);
    const notIn = parseLabelSelector('env notin (prod,staging)');
    assert.equal(matchesLabels(notIn, { env: 'dev' }), true);
    assert.equal(matchesLabels(notIn, { env: 'prod' }), false);
    assert.equal(matchesLabels(notIn, {}), true);
  });

  void it('sorts and de-duplicates set values and reads empty entries as the empty value', () => {
    assert.deepEqual(parseLabelSelector('a in (z,b,z)').requirements[0].values, ['b', 'z']);
    assert.deepEqual(parseLabelSelector('a in ()').requirements[0].values, ['']);
    assert.deepEqual(parseLabelSelector('a in (x,)').requirements[0].values, ['', 'x']);
    assert.deepEqual(parseLabelSelector('a in (,x)').requirements[0].values, ['', 'x']);
  });

  void it('supports existence (key) and non-existence (!key)', () => {
    const exists = parseLabelSelector('tier');
    assert.equal(exists.requirements[0].operator, 'exists');
    assert.equal(matchesLabels(exists, { tier: '' }), true);
    assert.equal(matchesLabels(exists, {}), false);
    const missing = parseLabelSelector('!tier');
    assert.equal(missing.requirements[0].operator, '!');
    assert.equal(matchesLabels(missing, {}), true);
    assert.equal(matchesLabels(missing, undefined), true);
    assert.equal(matchesLabels(missing, { tier: 'x' }), false);
    assert.equal(matchesLabels(parseLabelSelector(' ! tier '), {}), true);
  });

  void it('compares > and < numerically and never matches non-integers', () => {
    const gt = parseLabelSelector('replicas>5');
    assert.deepEqual(gt.requirements[0], { key: 'replicas', operator: 'gt', values: ['5'] });
    assert.equal(matchesLabels(gt, { replicas: '10' }), true); // 10 > 5 although "10" < "5" as text
    assert.equal(matchesLabels(gt, { replicas: '5' }), false);
    assert.equal(matchesLabels(gt, { replicas: 'many' }), false);
    assert.equal(matchesLabels(gt, {}), false);
    const lt = parseLabelSelector('replicas<5');
    assert.equal(matchesLabels(lt, { replicas: '4' }), true);
    assert.equal(matchesLabels(lt, { replicas: '40' }), false);
  });

  void it('ANDs comma-separated requirements and tolerates whitespace everywhere', () => {
    const selector = parseLabelSelector(' app = web , env in (prod) , !canary , tier ');
    assert.equal(selector.requirements.length, 4);
    assert.equal(matchesLabels(selector, { app: 'web', env: 'prod', tier: 'x' }), true);
    assert.equal(matchesLabels(selector, { app: 'web', env: 'prod', tier: 'x', canary: 'y' }), false);
    assert.equal(matchesLabels(selector, { app: 'web', env: 'prod' }), false);
  });

  void it('accepts the keywords in/notin as keys and values', () => {
    const selector = parseLabelSelector('in in (in,notin)');
    assert.deepEqual(selector.requirements[0], { key: 'in', operator: 'in', values: ['in', 'notin'] });
    assert.equal(matchesLabels(parseLabelSelector('notin=in'), { notin: 'in' }), true);
  });

  void it('accepts prefixed keys', () => {
    assert.equal(matchesLabels(parseLabelSelector('app.kubernetes.io/name=web'), { 'app.kubernetes.io/name': 'web' }), true);
  });

  void it('rejects malformed selectors with kube-apiserver messages', () => {
    assertParseError('a in', "unable to parse requirement: found '' expected: '('");
    assertParseError('a in (x', "unable to parse requirement: found '', expected: ',' or ')'");
    assertParseError('a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier");
    assertParseError('a in (x,=)', "unable to parse requirement: found '=', expected: ',', or identifier");
    assertParseError('a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
    assertParseError('a=(', "unable to parse requirement: found '(', expected: identifier");
    assertParseError('!', "unable to parse requirement: found '', expected: identifier");
    assertParseError(',a', "found ',', expected: !, identifier, or 'end of string'");
    assertParseError('a,', "found '', expected: identifier after ','");
    assertParseError('a=b c', "found 'c', expected: ',' or 'end of string'");
    assertParseError('!a=b', "found '=', expected: ',' or 'end of string'");
  });

  void it('rejects an invalid key with the validation message and a <nil> field path', () => {
    assertParseError('a/b/c=x', 'unable to parse requirement: <nil>: Invalid value: "a/b/c": a valid label key must consist of '
      + "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or "
      + "'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
      + "subdomain prefix and '/' (e.g. 'example.com/MyName')");
    assertParseError(`${'k'.repeat(64)}=x`,
      `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 bytes`);
  });

  void it('rejects an invalid value with the values[i][key] field path', () => {
    assertParseError('a=-x', `unable to parse requirement: values[0][a]: Invalid value: "-x": ${LABEL_VALUE_MESSAGE}`);
  });

  void it('rejects non-integer operands of > and <', () => {
    assertParseError('a>x', `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`);
    assertParseError('a<1.5', `unable to parse requirement: values[0]: Invalid value: "1.5": for 'Gt', 'Lt' operators, the value must be an integer`);
  });
});

void describe('labelSelectorToString', () => {
  void it('prints requirements sorted by key in canonical form', () => {
    const selector = parseLabelSelector('x=1, b notin (z,y), !c, a in (q, p), d, e>4, f<2, g==h, i!=j');
    assert.equal(labelSelectorToString(selector), 'a in (p,q),b notin (y,z),!c,d,e>4,f<2,g==h,i!=j,x=1');
  });

  void it('round-trips through the parser', () => {
    const text = 'a in (p,q),!c,x=1';
    assert.equal(labelSelectorToString(parseLabelSelector(labelSelectorToString(parseLabelSelector(text)))), text);
  });

  void it('prints both empty selectors as the empty string', () => {
    assert.equal(labelSelectorToString(EVERYTHING_SELECTOR), '');
    assert.equal(labelSelectorToString(NOTHING_SELECTOR), '');
  });
});

void describe('selectorFromLabelSelector', () => {
  void it('selects nothing for a null or missing selector', () => {
    for (const ls of [null, undefined]) {
      const selector = selectorFromLabelSelector(ls);
      assert.equal(selector.matchesNothing, true);
      assert.equal(isEverythingSelector(selector), false);
      assert.equal(matchesLabels(selector, {}), false);
      assert.equal(matchesLabels(selector, { app: 'web' }), false);
    }
  });

  void it('selects everything for an empty selector', () => {
    for (const ls of [{}, { matchLabels: {}, matchExpressions: [] }]) {
      const selector = selectorFromLabelSelector(ls);
      assert.equal(selector.matchesNothing, false);
      assert.ok(isEverythingSelector(selector));
      assert.equal(matchesLabels(selector, {}), true);
    }
  });

  void it('ANDs matchLabels and every expression operator', () => {
    const selector = selectorFromLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'staging'] },
        { key: 'zone', operator: 'NotIn', values: ['a'] },
        { key: 'tier', operator: 'Exists' },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    });
    assert.equal(labelSelectorToString(selector), 'app=web,!canary,env in (prod,staging),tier,zone notin (a)');
    assert.equal(matchesLabels(selector, { app: 'web', env: 'prod', tier: '1', zone: 'b' }), true);
    assert.equal(matchesLabels(selector, { app: 'web', env: 'prod', tier: '1', zone: 'a' }), false);
    assert.equal(matchesLabels(selector, { app: 'web', env: 'prod', tier: '1', canary: 'y' }), false);
    assert.equal(matchesLabels(selector, { app: 'web', env: 'dev', tier: '1' }), false);
    assert.equal(matchesLabels(selector, { app: 'web', env: 'prod' }), false);
  });

  void it('rejects bad operators, values and keys with kube messages', () => {
    const cases: Array<[Parameters<typeof selectorFromLabelSelector>[0], string]> = [
      [{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, '"Gt" is not a valid label selector operator'],
      [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
        "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"],
      [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
        'values: Invalid value: ["x"]: values set must be empty for exists and does not exist'],
      [{ matchLabels: { a: '-x' } }, `values[0][a]: Invalid value: "-x": ${LABEL_VALUE_MESSAGE}`],
      [{ matchLabels: { '/a': 'x' } }, 'key: Invalid value: "/a": prefix part must be non-empty'],
    ];
    for (const [ls, message] of cases) {
      assert.throws(() => selectorFromLabelSelector(ls), (err: unknown) => {
        assert.ok(err instanceof StatusError);
        assert.equal(err.code, 400);
        assert.equal(err.message, message);
        return true;
      });
    }
  });

  void it('aggregates several problems of one requirement in brackets', () => {
    assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: '/a', operator: 'In' }] }),
      { message: "[key: Invalid value: \"/a\": prefix part must be non-empty, values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty]" });
  });
});

void describe('labelSelectorFromSet', () => {
  void it('requires every label of the set and matches everything for an empty set', () => {
    const selector = labelSelectorFromSet({ b: '2', a: '1' });
    assert.equal(labelSelectorToString(selector), 'a=1,b=2');
    assert.equal(matchesLabels(selector, { a: '1', b: '2', c: '3' }), true);
    assert.equal(matchesLabels(selector, { a: '1' }), false);
    assert.ok(isEverythingSelector(labelSelectorFromSet({})));
  });
});
