import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CompiledCondition,
  type ConditionContext,
  ConditionError,
  compileCondition,
  MAX_CONDITION_DEPTH,
  MAX_REGEX_INPUT_LENGTH,
  MAX_REGEX_SOURCE_LENGTH,
} from './conditions.js';

const ROOTS = [
  'task',
  'complexity',
  'length',
  'class',
  'stream',
  'tools',
  'model',
  'max_tokens',
  'prompt_tokens',
  'header',
  'metadata',
  'key',
  'tenant',
  'user',
  'session',
] as const;

const compile = (source: string): CompiledCondition => compileCondition(source, { knownRoots: ROOTS });

/** A context over a plain record: absent keys resolve to undefined, like the routing engine's. */
const ctxOf =
  (values: Readonly<Record<string, unknown>>): ConditionContext =>
  (path) =>
    Object.hasOwn(values, path) ? values[path] : undefined;

const run = (source: string, values: Readonly<Record<string, unknown>> = {}): boolean => compile(source).test(ctxOf(values));

/** The ConditionError a source throws; fails the test when it compiles. */
function errorOf(source: string, knownRoots: readonly string[] = ROOTS): ConditionError {
  try {
    compileCondition(source, { knownRoots });
  } catch (err) {
    if (err instanceof ConditionError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to compile`);
}

describe('compileCondition: the documented examples', () => {
  it('task and complexity', () => {
    const source = 'task == "code" and complexity in ["medium", "complex"]';
    expect(run(source, { task: 'code', complexity: 'complex' })).toBe(true);
    expect(run(source, { task: 'code', complexity: 'simple' })).toBe(false);
    expect(run(source, { task: 'chat', complexity: 'medium' })).toBe(false);
  });

  it('a header or a metadata regex', () => {
    const source = 'header.x-team == "search" or metadata.feature =~ /^summar/i';
    expect(run(source, { 'header.x-team': 'search' })).toBe(true);
    expect(run(source, { 'metadata.feature': 'Summarize-thread' })).toBe(true);
    expect(run(source, { 'header.x-team': 'ads', 'metadata.feature': 'chat' })).toBe(false);
  });

  it('long prompts that do not stream', () => {
    const source = 'prompt_tokens > 8000 and not stream';
    expect(run(source, { prompt_tokens: 9000, stream: false })).toBe(true);
    expect(run(source, { prompt_tokens: 9000 })).toBe(true);
    expect(run(source, { prompt_tokens: 9000, stream: true })).toBe(false);
    expect(run(source, { prompt_tokens: 8000, stream: false })).toBe(false);
  });

  it('parentheses around an or', () => {
    const source = 'class != "critical" and (max_tokens >= 4000 or tools)';
    expect(run(source, { class: 'batch', max_tokens: 4000 })).toBe(true);
    expect(run(source, { class: 'batch', max_tokens: 100, tools: [{ name: 'search' }] })).toBe(true);
    expect(run(source, { class: 'batch', max_tokens: 100, tools: [] })).toBe(false);
    expect(run(source, { class: 'critical', max_tokens: 9000 })).toBe(false);
    expect(run(source, { max_tokens: 9000 })).toBe(true);
  });

  it('a key name in a list', () => {
    expect(run('key.name in ["batch-1", "batch-2"]', { 'key.name': 'batch-2' })).toBe(true);
    expect(run('key.name in ["batch-1", "batch-2"]', { 'key.name': 'batch-3' })).toBe(false);
  });
});

describe('literals', () => {
  it('strings with \\" and \\\\ escapes', () => {
    expect(run('task == "say \\"hi\\""', { task: 'say "hi"' })).toBe(true);
    expect(run('task == "a\\\\b"', { task: 'a\\b' })).toBe(true);
    expect(run('task == ""', { task: '' })).toBe(true);
    expect(run('task == "héllo wörld"', { task: 'héllo wörld' })).toBe(true);
  });

  it('integers, decimals and negatives', () => {
    expect(run('length == 42', { length: 42 })).toBe(true);
    expect(run('length == 0.5', { length: 0.5 })).toBe(true);
    expect(run('length == -3', { length: -3 })).toBe(true);
    expect(run('length > -1.25', { length: -1 })).toBe(true);
    expect(run('length==-1', { length: -1 })).toBe(true);
    expect(run('length == 007', { length: 7 })).toBe(true);
  });

  it('true, false and null', () => {
    expect(run('stream == true', { stream: true })).toBe(true);
    expect(run('stream == false', { stream: false })).toBe(true);
    expect(run('stream == false', {})).toBe(false);
    expect(run('metadata.feature == null', {})).toBe(true);
    expect(run('metadata.feature == null', { 'metadata.feature': null })).toBe(true);
    expect(run('metadata.feature != null', { 'metadata.feature': '' })).toBe(true);
    expect(run('true')).toBe(true);
    expect(run('false')).toBe(false);
    expect(run('not false')).toBe(true);
  });

  it('a literal may stand on the left', () => {
    expect(run('8000 < prompt_tokens', { prompt_tokens: 9000 })).toBe(true);
    expect(run('"code" == task', { task: 'code' })).toBe(true);
  });
});

describe('operators', () => {
  it('== and != compare strings, numbers and booleans without coercion', () => {
    expect(run('task == "code"', { task: 'code' })).toBe(true);
    expect(run('task == "code"', { task: 'Code' })).toBe(false);
    expect(run('length == 1', { length: '1' })).toBe(false);
    expect(run('length != 1', { length: '1' })).toBe(true);
    expect(run('stream == 1', { stream: true })).toBe(false);
    expect(run('task != "code"', { task: 'chat' })).toBe(true);
    expect(run('task != "code"', {})).toBe(true);
  });

  it('== between two paths', () => {
    expect(run('user == session', { user: 'u1', session: 'u1' })).toBe(true);
    expect(run('user == session', { user: 'u1', session: 'u2' })).toBe(false);
    expect(run('user == session', {})).toBe(true);
    expect(run('user == session', { user: 1, session: '1' })).toBe(false);
    expect(run('metadata.a == metadata.b', { 'metadata.a': { x: 1 }, 'metadata.b': { x: 1 } })).toBe(false);
  });

  it('<, <=, >, >= on two numbers', () => {
    const values = { max_tokens: 4000 };
    expect(run('max_tokens < 4001', values)).toBe(true);
    expect(run('max_tokens < 4000', values)).toBe(false);
    expect(run('max_tokens <= 4000', values)).toBe(true);
    expect(run('max_tokens > 3999.5', values)).toBe(true);
    expect(run('max_tokens > 4000', values)).toBe(false);
    expect(run('max_tokens >= 4000', values)).toBe(true);
    expect(run('max_tokens >= 4001', values)).toBe(false);
  });

  it('<, <=, >, >= on two strings, by code unit', () => {
    expect(run('model < "b"', { model: 'a' })).toBe(true);
    expect(run('model >= "gpt-4"', { model: 'gpt-4o' })).toBe(true);
    expect(run('model < "a"', { model: 'B' })).toBe(true);
  });

  it('in and not in', () => {
    expect(run('complexity in ["medium", "complex"]', { complexity: 'medium' })).toBe(true);
    expect(run('complexity in ["medium", "complex"]', {})).toBe(false);
    expect(run('complexity not in ["medium", "complex"]', { complexity: 'simple' })).toBe(true);
    expect(run('complexity not in ["medium", "complex"]', { complexity: 'complex' })).toBe(false);
    expect(run('complexity not in ["medium", "complex"]', {})).toBe(true);
    expect(run('length in [1, 2.5, -3]', { length: 2.5 })).toBe(true);
    expect(run('length in [1, 2]', { length: '1' })).toBe(false);
    expect(run('stream in [true]', { stream: true })).toBe(true);
    expect(run('metadata.x in [null, "a"]', {})).toBe(true);
    expect(run('metadata.x in []', { 'metadata.x': 'a' })).toBe(false);
    expect(run('metadata.x not in []', { 'metadata.x': 'a' })).toBe(true);
    expect(run('metadata.x in ["a"]', { 'metadata.x': ['a'] })).toBe(false);
  });

  it('=~ and !~', () => {
    expect(run('metadata.feature =~ /^summar/', { 'metadata.feature': 'summarize' })).toBe(true);
    expect(run('metadata.feature =~ /^summar/', { 'metadata.feature': 'Summarize' })).toBe(false);
    expect(run('metadata.feature =~ /^summar/i', { 'metadata.feature': 'Summarize' })).toBe(true);
    expect(run('metadata.feature !~ /^summar/i', { 'metadata.feature': 'Summarize' })).toBe(false);
    expect(run('metadata.feature !~ /^summar/i', { 'metadata.feature': 'chat' })).toBe(true);
    expect(run('metadata.feature =~ /^b$/m', { 'metadata.feature': 'a\nb' })).toBe(true);
    expect(run('metadata.feature =~ /a.b/s', { 'metadata.feature': 'a\nb' })).toBe(true);
    expect(run('metadata.feature =~ /^\\u{1F600}$/u', { 'metadata.feature': '😀' })).toBe(true);
  });

  it('regex literals: escaped slashes, slashes in a class, every allowed flag', () => {
    expect(run('model =~ /^openai\\/gpt/', { model: 'openai/gpt-4o' })).toBe(true);
    expect(run('model =~ /^[a-z/]+$/', { model: 'a/b' })).toBe(true);
    expect(run('model =~ /X/imsu', { model: 'x' })).toBe(true);
    expect(run('model =~ /\\d+/', { model: 'v2' })).toBe(true);
  });

  it('reuses one RegExp across calls without carrying state', () => {
    const condition = compile('model =~ /a/i');
    for (let i = 0; i < 5; i++) expect(condition.test(ctxOf({ model: 'A' }))).toBe(true);
  });

  it('matches against the first 10,000 characters only', () => {
    const early = `z${'a'.repeat(MAX_REGEX_INPUT_LENGTH * 2)}`;
    const late = `${'a'.repeat(MAX_REGEX_INPUT_LENGTH)}z`;
    expect(run('metadata.p =~ /z/', { 'metadata.p': early })).toBe(true);
    expect(run('metadata.p =~ /z/', { 'metadata.p': late })).toBe(false);
    expect(run('metadata.p =~ /^a+$/', { 'metadata.p': late })).toBe(true);
  });

  it('a bare path is a truthiness test', () => {
    expect(run('stream', { stream: true })).toBe(true);
    for (const value of [undefined, null, false, 0, Number.NaN, '', [], {}]) {
      expect(run('tools', { tools: value })).toBe(false);
    }
    for (const value of [true, 1, -1, 'x', [0], { a: 1 }]) {
      expect(run('tools', { tools: value })).toBe(true);
    }
    expect(run('not tools', { tools: [] })).toBe(true);
  });
});

describe('mismatched types are false, never an exception', () => {
  it('ordering needs two numbers or two strings', () => {
    for (const value of ['9000', true, null, undefined, [9000], { n: 9000 }, Number.NaN]) {
      expect(run('prompt_tokens > 8000', { prompt_tokens: value })).toBe(false);
      expect(run('prompt_tokens <= 8000', { prompt_tokens: value })).toBe(false);
    }
    expect(run('model < 5', { model: 'a' })).toBe(false);
    expect(run('model >= "a"', { model: 5 })).toBe(false);
    expect(run('null <= null')).toBe(false);
  });

  it('=~ on a non-string is false and !~ true', () => {
    for (const value of [42, true, null, undefined, ['summary'], { s: 'summary' }]) {
      expect(run('metadata.feature =~ /summ/', { 'metadata.feature': value })).toBe(false);
      expect(run('metadata.feature !~ /summ/', { 'metadata.feature': value })).toBe(true);
    }
  });

  it('a context that throws makes the condition false', () => {
    const condition = compile('task != "code"');
    expect(
      condition.test(() => {
        throw new Error('broken resolver');
      }),
    ).toBe(false);
  });

  it('any value from the context gives a boolean', () => {
    const sources = [
      'task == "code"',
      'task != 1',
      'length < 3',
      'length >= "a"',
      'task in ["a", 1, true, null]',
      'task not in [1]',
      'task =~ /a/',
      'task !~ /a/',
      'task',
      'not task',
      'task == metadata.x',
    ].map(compile);
    fc.assert(
      fc.property(fc.anything({ withMap: true, withSet: true, withBigInt: true, withDate: true, withNullPrototype: true }), (value) => {
        for (const condition of sources) expect(typeof condition.test(() => value)).toBe('boolean');
      }),
    );
  });
});

describe('precedence and parentheses', () => {
  const t = { stream: true };
  it('and binds tighter than or', () => {
    // true or (true and false)
    expect(run('stream or stream and false', t)).toBe(true);
    // (false and true) or true
    expect(run('false and stream or stream', t)).toBe(true);
    expect(run('(stream or stream) and false', t)).toBe(false);
  });

  it('not binds tighter than and / or', () => {
    // (not true) and true
    expect(run('not stream and stream', t)).toBe(false);
    // (not false) or false
    expect(run('not false or false')).toBe(true);
    expect(run('not (false or true)')).toBe(false);
    expect(run('not not stream', t)).toBe(true);
  });

  it('not applies to a whole comparison', () => {
    expect(run('not task == "code"', { task: 'code' })).toBe(false);
    expect(run('not task == "code"', { task: 'chat' })).toBe(true);
    expect(run('not complexity in ["simple"]', { complexity: 'simple' })).toBe(false);
    expect(run('not model =~ /^gpt/', { model: 'claude' })).toBe(true);
  });

  it('nested parentheses and whitespace', () => {
    expect(run('((task == "a") or (task == "b")) and not (stream)', { task: 'b' })).toBe(true);
    expect(run('  task==\t"a"\n  and\r\nstream ', { task: 'a', stream: true })).toBe(true);
    expect(run('(((((stream)))))', t)).toBe(true);
  });

  it('caps the nesting depth', () => {
    const ok = `${'('.repeat(MAX_CONDITION_DEPTH)}stream${')'.repeat(MAX_CONDITION_DEPTH)}`;
    expect(run(ok, t)).toBe(true);
    const deep = `${'not '.repeat(MAX_CONDITION_DEPTH)}(stream)`;
    const err = errorOf(deep);
    expect(err.reason).toBe(`condition nested too deeply at ${4 * MAX_CONDITION_DEPTH}; at most ${MAX_CONDITION_DEPTH} levels of parentheses and 'not'`);
    expect(errorOf('('.repeat(100_000)).position).toBe(MAX_CONDITION_DEPTH);
  });
});

describe('paths', () => {
  it('lists each path once, in order of first use', () => {
    const condition = compile('task == "a" or (metadata.feature =~ /x/ and task != "b") or header.x-team');
    expect(condition.paths).toEqual(['task', 'metadata.feature', 'header.x-team']);
    expect(condition.source).toBe('task == "a" or (metadata.feature =~ /x/ and task != "b") or header.x-team');
  });

  it('the result is frozen', () => {
    const condition = compile('task');
    expect(Object.isFrozen(condition)).toBe(true);
    expect(Object.isFrozen(condition.paths)).toBe(true);
  });

  it('header names are case-insensitive: the context is asked for the lower-case name', () => {
    const condition = compile('header.X-Team == "search" and header.x-TEAM != "ads"');
    expect(condition.paths).toEqual(['header.x-team']);
    const asked: string[] = [];
    const ctx: ConditionContext = (path) => {
      asked.push(path);
      return path === 'header.x-team' ? 'search' : undefined;
    };
    expect(condition.test(ctx)).toBe(true);
    expect(asked).toEqual(['header.x-team', 'header.x-team']);
  });

  it('keeps the case of every other path', () => {
    expect(compile('metadata.Feature').paths).toEqual(['metadata.Feature']);
  });

  it('segments may hold digits, _ and - after the first character', () => {
    expect(compile('metadata.a_1-b.c2 == 1').paths).toEqual(['metadata.a_1-b.c2']);
    expect(compile('metadata._x').paths).toEqual(['metadata._x']);
  });

  it('a keyword is an ordinary name after a dot', () => {
    expect(run('metadata.in == "x"', { 'metadata.in': 'x' })).toBe(true);
  });
});

describe('errors: what, where and what was expected', () => {
  it('a missing value', () => {
    const err = errorOf('prompt_tokens == and stream');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ConditionError');
    expect(err.position).toBe(17);
    expect(err.source).toBe('prompt_tokens == and stream');
    expect(err.reason).toBe("expected a value after '==' at 17, found 'and'");
    expect(err.message).toBe(["expected a value after '==' at 17, found 'and'", '    prompt_tokens == and stream', `    ${' '.repeat(17)}^`].join('\n'));
  });

  it('a value missing at the end points just past the operator', () => {
    const err = errorOf('task ==   ');
    expect(err.position).toBe(7);
    expect(err.reason).toBe("expected a value after '==' at 7, found the end of the condition");
  });

  it('the caret is placed on the line of a multi-line source', () => {
    const err = errorOf('task == "a"\n  and tsk');
    expect(err.position).toBe(18);
    expect(err.message.split('\n').slice(1)).toEqual(['      and tsk', '          ^']);
  });

  it.each([
    ['', 0, `empty condition at 0; expected one such as task == "code"`],
    ['task == "code" complexity', 15, "expected 'and', 'or' or the end of the condition at 15, found 'complexity'"],
    ['task == "a" AND stream', 12, "expected 'and', 'or' or the end of the condition at 12, found 'AND' (did you mean 'and'?)"],
    ['stream adn tools', 7, "expected 'and', 'or' or the end of the condition at 7, found 'adn' (did you mean 'and'?)"],
    ['(task == "a"', 12, "expected 'and', 'or' or ')' at 12, found the end of the condition (the '(' at 0 is not closed)"],
    ['task == "a")', 11, "expected 'and', 'or' or the end of the condition at 11, found ')' (there is no '(' to close)"],
    ['1 < length < 5', 11, "expected 'and', 'or' or the end of the condition at 11, found '<'; comparisons can't be chained, join them with 'and'"],
    ['stream and', 10, "expected a condition after 'and' at 10, found the end of the condition"],
    ['or stream', 0, "expected a condition at 0, found 'or'"],
    ['not', 3, "expected a condition after 'not' at 3, found the end of the condition"],
    ['()', 1, "expected a condition after '(' at 1, found ')'"],
    ['"code"', 6, 'expected a comparison operator (==, !=, <, <=, >, >=, in, not in, =~, !~) after "code" at 6, found the end of the condition'],
    ['42 and stream', 3, "expected a comparison operator (==, !=, <, <=, >, >=, in, not in, =~, !~) after 42 at 3, found 'and'"],
    ['task not stream', 9, "expected 'in' after 'not' at 9, found 'stream'"],
    ['task in "code"', 8, 'expected a list such as ["a", "b"] after \'in\' at 8, found "code"'],
    [
      'task in tools',
      8,
      "expected a list such as [\"a\", \"b\"] after 'in' at 8, found 'tools'; 'in' takes a list of values written in the condition, not a path",
    ],
    ['task in [', 9, "expected a value or ']' in the list at 9, found the end of the condition"],
    ['task in ["a",]', 13, "expected a value after ',' in the list at 13, found ']'"],
    ['task in ["a" "b"]', 13, `expected ',' or ']' in the list at 13, found "b" (the '[' at 8 is not closed)`],
    ['task in [model]', 9, "expected a value or ']' in the list at 9, found 'model'; list items are strings, numbers, true, false or null"],
    ['task in [["a"]]', 9, "expected a value or ']' in the list at 9, found '['"],
    ['task == ["a"]', 8, "expected a value after '==' at 8, found '[' (compare with a list using 'in')"],
    ['task == /a/', 8, "expected a value after '==' at 8, found /a/ (match a regex with '=~')"],
    ['task =~ "^a"', 8, `expected a regex such as /^summar/i after '=~' at 8, found "^a" (write the pattern between slashes, not quotes)`],
    ['task !~ model', 8, "expected a regex such as /^summar/i after '!~' at 8, found 'model'"],
    ['/a/ =~ task', 0, "expected a condition at 0, found /a/; a regex can only follow '=~' or '!~'"],
    ['["a"] in task', 0, "expected a condition at 0, found '['; a list can only follow 'in' or 'not in'"],
  ])('%j', (source, position, reason) => {
    const err = errorOf(source);
    expect(err.reason).toBe(reason);
    expect(err.position).toBe(position);
  });

  it.each([
    ['task = "a"', 5, "'=' is not an operator at 5 (did you mean '=='?)"],
    ['task === "a"', 5, "'===' is not an operator at 5; use '=='"],
    ['length => 1', 7, "'=>' is not an operator at 7 (did you mean '>='?)"],
    ['length =< 1', 7, "'=<' is not an operator at 7 (did you mean '<='?)"],
    ['!stream', 0, "'!' is not an operator at 0; negate with 'not', compare with '!=' or '!~'"],
    ['stream && tools', 7, "'&&' is not an operator at 7; use 'and'"],
    ['stream || tools', 7, "'||' is not an operator at 7; use 'or'"],
    ['task ~= /a/', 5, "'~' is not an operator at 5; match a regex with '=~' or '!~'"],
    ["task == 'code'", 8, `unexpected "'" at 8; strings are written in double quotes, such as "code"`],
    ['length > - 1', 9, "unexpected '-' at 9; a negative number is written with no space, such as -1"],
    ['task == "code" ; stream', 15, 'unexpected character ";" at 15'],
    ['task == "abc', 8, `unterminated string at 8; expected a closing '"'`],
    ['task == "a\\nb"', 10, `unsupported escape '\\n' at 10; strings allow only \\" and \\\\`],
    ['length == 1e3', 10, "invalid number '1e3' at 10; numbers are written like 42, -1 or 0.5"],
    ['length == 1.', 10, "invalid number '1.' at 10; numbers are written like 42, -1 or 0.5"],
    ['length == 1.2.3', 10, "invalid number '1.2.3' at 10; numbers are written like 42, -1 or 0.5"],
    [`length == 1${'0'.repeat(400)}`, 10, 'number out of range at 10'],
    ['metadata. == 1', 9, `expected a name after '.' at 9, found " "; names start with a letter or '_'`],
    ['metadata.1x', 9, `expected a name after '.' at 9, found "1"; names start with a letter or '_'`],
    ['metadata.', 9, "expected a name after '.' at 9, found the end of the condition; names start with a letter or '_'"],
  ])('lexical: %j', (source, position, reason) => {
    const err = errorOf(source);
    expect(err.reason).toBe(reason);
    expect(err.position).toBe(position);
  });

  it.each([
    ['task =~ /(/', 8, 'invalid regex at 8: Unterminated group'],
    ['task =~ /a', 8, "unterminated regex at 8; expected a closing '/'"],
    ['task =~ /[/', 8, "unterminated regex at 8; expected a closing '/'"],
    ['task =~ //', 8, 'empty regex at 8; write a pattern between the slashes, such as /^summar/i'],
    ['task =~ /a/g', 11, "unsupported regex flag 'g' at 11; allowed flags: i, m, s, u"],
    ['task =~ /a/iy', 12, "unsupported regex flag 'y' at 12; allowed flags: i, m, s, u"],
    ['task =~ /a/ii', 12, "repeated regex flag 'i' at 12"],
    ['task =~ /\\p{L/u', 8, 'invalid regex at 8: Invalid property name'],
  ])('regex: %j', (source, position, reason) => {
    const err = errorOf(source);
    expect(err.reason).toBe(reason);
    expect(err.position).toBe(position);
  });

  it('caps the regex length', () => {
    expect(run(`task =~ /${'a'.repeat(MAX_REGEX_SOURCE_LENGTH)}/`, { task: 'a'.repeat(MAX_REGEX_SOURCE_LENGTH) })).toBe(true);
    const err = errorOf(`task =~ /${'a'.repeat(MAX_REGEX_SOURCE_LENGTH + 1)}/`);
    expect(err.reason).toBe(`regex too long at 8: ${MAX_REGEX_SOURCE_LENGTH + 1} characters, at most ${MAX_REGEX_SOURCE_LENGTH} are allowed`);
  });

  it('shortens a long token in the message', () => {
    const err = errorOf(`task == "a" "${'x'.repeat(100)}"`);
    expect(err.reason).toBe(`expected 'and', 'or' or the end of the condition at 12, found "${'x'.repeat(38)}…`);
  });
});

describe('unknown roots', () => {
  const allowed = ROOTS.join(', ');

  it('names the allowed roots and suggests the nearest', () => {
    const err = errorOf('tsk == "code"');
    expect(err.position).toBe(0);
    expect(err.reason).toBe(`unknown root "tsk" at 0 (did you mean "task"?); allowed roots: ${allowed}`);
  });

  it('checks only the first segment, wherever the path is', () => {
    expect(errorOf('stream and headers.x-team == "a"').reason).toBe(`unknown root "headers" at 11 (did you mean "header"?); allowed roots: ${allowed}`);
    expect(errorOf('task == metdata.x').reason).toBe(`unknown root "metdata" at 8 (did you mean "metadata"?); allowed roots: ${allowed}`);
    expect(errorOf('maxtokens > 1').reason).toContain('(did you mean "max_tokens"?)');
  });

  it('roots are case-sensitive, and the suggestion says so', () => {
    expect(errorOf('Task == "code"').reason).toBe(`unknown root "Task" at 0 (did you mean "task"?); allowed roots: ${allowed}`);
  });

  it('says nothing when no root is close', () => {
    expect(errorOf('temperature > 1').reason).toBe(`unknown root "temperature" at 0; allowed roots: ${allowed}`);
  });

  it('uses the roots it is given', () => {
    expect(compileCondition('region == "eu"', { knownRoots: ['region'] }).paths).toEqual(['region']);
    expect(errorOf('task', ['region']).reason).toBe('unknown root "task" at 0; allowed roots: region');
    expect(errorOf('task', []).reason).toBe('unknown root "task" at 0; allowed roots: none');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: random conditions against a reference evaluator written from the documentation.

type Scalar = string | number | boolean | null;
type Op = '==' | '!=' | '<' | '<=' | '>' | '>=';
type Expr =
  | { kind: 'cmp'; path: string; op: Op; literal: Scalar; flip: boolean; paren: boolean }
  | { kind: 'in'; path: string; negated: boolean; items: Scalar[]; paren: boolean }
  | { kind: 'match'; path: string; negated: boolean; pattern: string; flags: string; paren: boolean }
  | { kind: 'bare'; path: string; paren: boolean }
  | { kind: 'not'; inner: Expr; paren: boolean }
  | { kind: 'and' | 'or'; left: Expr; right: Expr; paren: boolean };

const PATHS = ['task', 'prompt_tokens', 'stream', 'metadata.feature', 'header.x-team'] as const;
/** How a path may be written: header names in any case. */
const SPELLINGS: Readonly<Record<string, readonly string[]>> = { 'header.x-team': ['header.x-team', 'header.X-Team', 'header.X-TEAM'] };

const STRINGS = ['', 'a', 'b', 'code', 'Code', 'sum', 'a"b', 'c\\d'] as const;
const scalarArb: fc.Arbitrary<Scalar> = fc.oneof(
  fc.constantFrom<Scalar>(null, true, false),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.5, -1.5),
  fc.constantFrom(...STRINGS),
);
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  scalarArb,
  fc.constant(undefined),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
  fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 }),
  fc.constantFrom({}, { a: 1 }),
);
const contextArb = fc.record(Object.fromEntries(PATHS.map((path) => [path, valueArb])) as Record<(typeof PATHS)[number], fc.Arbitrary<unknown>>);

const { expr: exprArb } = fc.letrec<{ expr: Expr; leaf: Expr }>((tie) => ({
  leaf: fc.oneof(
    fc.record({
      kind: fc.constant('cmp' as const),
      path: fc.constantFrom(...PATHS),
      op: fc.constantFrom<Op>('==', '!=', '<', '<=', '>', '>='),
      literal: scalarArb,
      flip: fc.boolean(),
      paren: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('in' as const),
      path: fc.constantFrom(...PATHS),
      negated: fc.boolean(),
      items: fc.array(scalarArb, { maxLength: 3 }),
      paren: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('match' as const),
      path: fc.constantFrom(...PATHS),
      negated: fc.boolean(),
      pattern: fc.constantFrom('^c', 'a', 'd$', '"', 'x|b'),
      flags: fc.constantFrom('', 'i', 'is'),
      paren: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('bare' as const), path: fc.constantFrom(...PATHS), paren: fc.boolean() }),
  ),
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.record({ kind: fc.constant('not' as const), inner: tie('expr'), paren: fc.boolean() }),
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('expr'), right: tie('expr'), paren: fc.boolean() }),
  ),
}));

const LEVEL: Record<Expr['kind'], number> = { or: 0, and: 1, not: 2, cmp: 3, in: 3, match: 3, bare: 3 };

function printScalar(value: Scalar): string {
  return typeof value === 'string' ? `"${value.replace(/[\\"]/g, '\\$&')}"` : String(value);
}

/** Source text with the fewest parentheses precedence allows, plus the ones the generator asked for. */
function print(e: Expr, minLevel: number, spell: (path: string) => string): string {
  let text: string;
  switch (e.kind) {
    case 'cmp': {
      const [a, b] = e.flip ? [printScalar(e.literal), spell(e.path)] : [spell(e.path), printScalar(e.literal)];
      text = `${a} ${e.op} ${b}`;
      break;
    }
    case 'in':
      text = `${spell(e.path)} ${e.negated ? 'not in' : 'in'} [${e.items.map(printScalar).join(', ')}]`;
      break;
    case 'match':
      text = `${spell(e.path)} ${e.negated ? '!~' : '=~'} /${e.pattern}/${e.flags}`;
      break;
    case 'bare':
      text = spell(e.path);
      break;
    case 'not':
      text = `not ${print(e.inner, 2, spell)}`;
      break;
    case 'and':
    case 'or': {
      const level = LEVEL[e.kind];
      text = `${print(e.left, level, spell)} ${e.kind} ${print(e.right, level, spell)}`;
    }
  }
  return e.paren || LEVEL[e.kind] < minLevel ? `(${text})` : text;
}

const absent = (v: unknown): boolean => v === null || v === undefined;
function refEqual(a: unknown, b: unknown): boolean {
  if (absent(a) || absent(b)) return absent(a) && absent(b);
  return typeof a === typeof b && ['string', 'number', 'boolean'].includes(typeof a) && a === b;
}
function refCompare(op: Op, a: unknown, b: unknown): boolean {
  if (op === '==') return refEqual(a, b);
  if (op === '!=') return !refEqual(a, b);
  const comparable = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
  if (!comparable) return false;
  const x = a as number;
  const y = b as number;
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}
function refTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}
function evaluate(e: Expr, values: Readonly<Record<string, unknown>>): boolean {
  switch (e.kind) {
    case 'cmp': {
      const v = values[e.path];
      return e.flip ? refCompare(e.op, e.literal, v) : refCompare(e.op, v, e.literal);
    }
    case 'in':
      return e.items.some((item) => refEqual(values[e.path], item)) !== e.negated;
    case 'match': {
      const v = values[e.path];
      return (typeof v === 'string' && new RegExp(e.pattern, e.flags).test(v)) !== e.negated;
    }
    case 'bare':
      return refTruthy(values[e.path]);
    case 'not':
      return !evaluate(e.inner, values);
    case 'and':
      return evaluate(e.left, values) && evaluate(e.right, values);
    case 'or':
      return evaluate(e.left, values) || evaluate(e.right, values);
  }
}

const spellingsArb = fc.record({ header: fc.constantFrom(...(SPELLINGS['header.x-team'] ?? [])) });
const speller =
  (choice: { header: string }) =>
  (path: string): string =>
    path === 'header.x-team' ? choice.header : path;

describe('properties', () => {
  it('a compiled condition agrees with the reference semantics, whatever the parentheses', () => {
    fc.assert(
      fc.property(exprArb, contextArb, spellingsArb, (e, values, spelling) => {
        const source = print(e, 0, speller(spelling));
        expect(compile(source).test(ctxOf(values))).toBe(evaluate(e, values));
      }),
      { numRuns: 2000 },
    );
  });

  it('not (A) is the negation of A', () => {
    fc.assert(
      fc.property(exprArb, contextArb, (e, values) => {
        const a = print(e, 0, (p) => p);
        const ctx = ctxOf(values);
        expect(compile(`not (${a})`).test(ctx)).toBe(!compile(a).test(ctx));
        expect(compile(`not ${print(e, 2, (p) => p)}`).test(ctx)).toBe(!compile(a).test(ctx));
      }),
      { numRuns: 1000 },
    );
  });

  it('A and B, A or B follow JavaScript && and ||', () => {
    fc.assert(
      fc.property(exprArb, exprArb, contextArb, (e1, e2, values) => {
        const a = print(e1, 1, (p) => p);
        const b = print(e2, 1, (p) => p);
        const ctx = ctxOf(values);
        const [x, y] = [compile(a).test(ctx), compile(b).test(ctx)];
        expect(compile(`${a} and ${b}`).test(ctx)).toBe(x && y);
        expect(compile(`${a} or ${b}`).test(ctx)).toBe(x || y);
      }),
      { numRuns: 1000 },
    );
  });

  it('the negated operators are exact negations', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), scalarArb, fc.array(scalarArb, { maxLength: 3 }), contextArb, (path, literal, items, values) => {
        const ctx = ctxOf(values);
        const list = `[${items.map(printScalar).join(', ')}]`;
        expect(compile(`${path} != ${printScalar(literal)}`).test(ctx)).toBe(!compile(`${path} == ${printScalar(literal)}`).test(ctx));
        expect(compile(`${path} not in ${list}`).test(ctx)).toBe(!compile(`${path} in ${list}`).test(ctx));
        expect(compile(`${path} !~ /a/`).test(ctx)).toBe(!compile(`${path} =~ /a/`).test(ctx));
      }),
    );
  });

  it('any input either compiles or throws a ConditionError pointing inside the source', () => {
    const piece = fc.oneof(
      fc.constantFrom('task', 'metadata.x', 'header.X-Y', 'tsk', 'AND', '==', '!=', '<', '>=', '=~', '!~', 'in', 'not', 'and', 'or'),
      fc.constantFrom('(', ')', '[', ']', ',', '"a"', '"', '\\', '1', '-2.5', '/a/i', '/', 'true', 'null', ' ', '\n', '=', '!', '.'),
      fc.string({ maxLength: 3 }),
    );
    const pieces = fc.array(piece, { maxLength: 12 });
    const source = fc.oneof(
      fc.string(),
      pieces.map((parts) => parts.join(' ')),
      pieces.map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(source, valueArb, (text, value) => {
        let condition: CompiledCondition;
        try {
          condition = compile(text);
        } catch (err) {
          expect(err).toBeInstanceOf(ConditionError);
          const e = err as ConditionError;
          expect(e.position).toBeGreaterThanOrEqual(0);
          expect(e.position).toBeLessThanOrEqual(text.length);
          expect(e.reason).toContain(` at ${e.position}`);
          expect(e.message.startsWith(e.reason)).toBe(true);
          expect(e.message.endsWith('^')).toBe(true);
          return;
        }
        expect(typeof condition.test(() => value)).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });
});
