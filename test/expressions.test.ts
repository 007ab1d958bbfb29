import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { didYouMean } from '../src/runner/did-you-mean.js';
import {
  checkExpressions,
  evaluate,
  ExpressionError,
  findExpressions,
  freeNames,
  FUNCTION_NAMES,
  hasExpression,
  interpolate,
  parseExpression,
  resolveDeep,
} from '../src/runner/expressions.js';

const scope = {
  serve: { url: 'http://127.0.0.1:8080/' },
  index: 2,
  item: { price: 120, name: 'Lamp', tags: ['home', 'light'], 'odd key': 'yes' },
  done: false,
  link: 'products/page-1.html',
  product: { title: 'Desk' },
  list: [10, 20, 30],
  text: 'Hello World',
  nothing: null,
  empty: '',
  zero: 0,
  priceText: ' 12.50 ',
};

/** The value of one expression (the source between `${{` and `}}`). */
function value(source: string, names: Record<string, unknown> = scope): unknown {
  return evaluate(parseExpression(source), names);
}

/** The ExpressionError a text raises, parsed and evaluated. */
function failure(text: string, names: Record<string, unknown> = scope): ExpressionError {
  try {
    interpolate(text, names);
  } catch (error) {
    assert.ok(error instanceof ExpressionError, `expected an ExpressionError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${text} did not fail`);
}

describe('operators', () => {
  test('arithmetic follows the usual precedence and is left-associative', () => {
    assert.equal(value('1 + 2 * 3'), 7);
    assert.equal(value('(1 + 2) * 3'), 9);
    assert.equal(value('10 - 4 - 3'), 3);
    assert.equal(value('100 / 10 / 5'), 2);
    assert.equal(value('10 / 4'), 2.5);
    assert.equal(value('7 % 3 * 2'), 2);
    assert.equal(value('-2 * 3 + 10'), 4);
    assert.equal(value('- -3'), 3);
    assert.equal(value('index + 1'), 3);
    assert.equal(value('.5 + 1.25'), 1.75);
    assert.equal(value('1e3'), 1000);
  });

  test('comparisons and logic: comparison binds tighter than && which binds tighter than ||', () => {
    assert.equal(value('item.price > 100 && !done'), true);
    assert.equal(value('1 + 2 > 2 && 3 <= 3'), true);
    assert.equal(value('true || false && false'), true);
    assert.equal(value('(true || false) && false'), false);
    assert.equal(value('!true || true'), true);
    assert.equal(value('!(true || true)'), false);
    assert.equal(value('1 < 2 == 2 < 3'), true);
    assert.equal(value("'apple' < 'banana'"), true);
    assert.equal(value('3 >= 4'), false);
  });

  test('&& and || give back an operand and stop early', () => {
    assert.equal(value("0 || 'fallback'"), 'fallback');
    assert.equal(value("'' && 'never'"), '');
    assert.equal(value("'a' && 'b'"), 'b');
    assert.equal(value('true || missingName'), true);
    assert.equal(value('false && missingName'), false);
  });

  test('?? only replaces null and undefined, and binds looser than ||', () => {
    assert.equal(value("nothing ?? 'x'"), 'x');
    assert.equal(value("item.missing ?? 'x'"), 'x');
    assert.equal(value("zero ?? 'x'"), 0);
    assert.equal(value("empty ?? 'x'"), '');
    assert.equal(value("nothing || nothing ?? 'z'"), 'z');
    assert.equal(value("zero ?? nothing || 'x'"), 0);
    assert.equal(value("'a' ?? false && 'b'"), 'a');
  });

  test('the ternary is right-associative and binds loosest', () => {
    assert.equal(value("index > 1 ? 'many' : 'few'"), 'many');
    assert.equal(value("false ? 1 : true ? 2 : 3"), 2);
    assert.equal(value("nothing ?? false ? 'yes' : 'no'"), 'no');
    assert.equal(value('done ? 1 : index * 10'), 20);
  });

  test('== and != are strict, with null equal to a missing value and lists compared by content', () => {
    assert.equal(value("'1' == 1"), false);
    assert.equal(value('0 == false'), false);
    assert.equal(value("empty == 0"), false);
    assert.equal(value('1 == 1.0'), true);
    assert.equal(value('nothing == item.missing'), true);
    assert.equal(value('item.missing != null'), false);
    assert.equal(value('[1, [2, 3]] == [1, [2, 3]]'), true);
    assert.equal(value('[1, 2] != [2, 1]'), true);
    assert.equal(value('a == b', { a: { x: 1, y: [1] }, b: { y: [1], x: 1 } }), true);
    assert.equal(value('a == b', { a: { x: 1 }, b: { x: 1, y: 2 } }), false);
    assert.equal(value("'a' === 'a' && 1 !== 2"), true);
  });

  test('+ concatenates when either side is text, writing values as interpolation does', () => {
    assert.equal(value("'page-' + 1"), 'page-1');
    assert.equal(value("1 + 2 + '3'"), '33');
    assert.equal(value("'3' + 1 + 2"), '312');
    assert.equal(value("'x' + nothing"), 'x');
    assert.equal(value("'tags: ' + item.tags"), 'tags: ["home","light"]');
    assert.equal(value("true + ''"), 'true');
  });

  test('no silent coercion: mixing types in arithmetic or comparison is an error that says what to do', () => {
    assert.match(failure("${{ priceText > 10 }}").message, /cannot compare the text ' 12\.50 ' with the number 10 \(use number\(\.\.\.\)/);
    assert.equal(value('number(priceText) > 10'), true);
    assert.match(failure('${{ item.missing < 3 }}').message, /cannot compare nothing \(undefined\) with the number 3/);
    assert.match(failure("${{ 'a' * 2 }}").message, /'\*' needs numbers, but got the text 'a'/);
    assert.match(failure('${{ list + 1 }}').message, /cannot add a list and the number 1/);
    assert.match(failure("${{ -'a' }}").message, /'-' needs a number, but got the text 'a'/);
    assert.equal(failure('${{ 1 / zero }}').message, 'division by zero');
    assert.equal(failure('${{ 1 % 0 }}').message, 'division by zero');
  });

  test('string literals take either quote and backslash escapes', () => {
    assert.equal(value(`'it\\'s'`), "it's");
    assert.equal(value(`"say \\"hi\\""`), 'say "hi"');
    assert.equal(value(`'a\\nb\\tc\\\\'`), 'a\nb\tc\\');
    assert.equal(value(`'caf\\u00e9 \\u{1F600}'`), 'café 😀');
    assert.equal(value(`"it's"`), "it's");
    assert.deepEqual(value(`[1, 'two', null, true, [false]]`), [1, 'two', null, true, [false]]);
    assert.deepEqual(value('[]'), []);
    assert.deepEqual(value('[1, 2,]'), [1, 2]);
  });
});

describe('reading values', () => {
  test('member access, indexes and .length', () => {
    assert.equal(value('item.name'), 'Lamp');
    assert.equal(value("item['odd key']"), 'yes');
    assert.equal(value('item.tags[1]'), 'light');
    assert.equal(value('list[index]'), 30);
    assert.equal(value("list['1']"), 20);
    assert.equal(value('list.length + text.length'), 14);
    assert.equal(value("item['tags'].length"), 2);
    assert.equal(value('item?.name'), 'Lamp');
    assert.equal(value('item?.tags?.[0]'), 'home');
  });

  test('anything missing is undefined, even read from null, instead of an error', () => {
    assert.equal(value('item.missing'), undefined);
    assert.equal(value('item.missing.deeper.still'), undefined);
    assert.equal(value('nothing.x'), undefined);
    assert.equal(value('nothing?.x[0]'), undefined);
    assert.equal(value('list[3]'), undefined);
    assert.equal(value('list[-1]'), undefined);
    assert.equal(value('list[0.5]'), undefined);
    assert.equal(value('index.x'), undefined);
  });

  test('methods and inherited properties are invisible', () => {
    assert.equal(value('text.toUpperCase'), undefined);
    assert.equal(value('list.map'), undefined);
    assert.equal(value('item.hasOwnProperty'), undefined);
    assert.equal(value("item['toString']"), undefined);
    assert.equal(value('item.name.length'), 4);
    assert.equal(value('d.getTime', { d: new Date() }), undefined);
    assert.equal(value('m.size', { m: new Map([[1, 2]]) }), undefined);
    assert.equal(value('child.inherited', { child: Object.create({ inherited: 1 }) }), undefined);
  });

  test('constructor, __proto__ and prototype are always refused', () => {
    const dotted = failure('${{ x.constructor }}', { x: {} });
    assert.equal(dotted.message, "'constructor' is not allowed in expressions");
    assert.equal(dotted.offset, 6);
    const indexed = failure("${{ x['__proto__'] }}", { x: {} });
    assert.equal(indexed.message, "'__proto__' is not allowed in expressions");
    assert.equal(indexed.offset, 6);
    assert.match(failure("${{ x[key] }}", { x: {}, key: 'constructor' }).message, /'constructor' is not allowed/);
    assert.match(failure('${{ nothing.prototype }}').message, /'prototype' is not allowed/);
    assert.match(failure("${{ list['constr' + 'uctor'] }}").message, /'constructor' is not allowed/);
    assert.match(failure('${{ constructor }}').message, /'constructor' is not allowed/);
  });

  test('a name that is not in scope is an error with a suggestion', () => {
    const error = failure('${{ prodcut.title }}');
    assert.equal(error.message, "unknown name 'prodcut' (did you mean 'product'?)");
    assert.equal(error.offset, 4);
    assert.equal(failure('${{ zzz }}').message, "unknown name 'zzz'");
  });

  test('process, globalThis, require and friends are just unknown names', () => {
    for (const name of ['process', 'globalThis', 'require', 'global', 'module', 'eval', 'Function', 'this']) {
      assert.match(failure(`\${{ ${name} }}`).message, new RegExp(`^unknown name '${name}'`));
    }
    assert.match(failure("${{ process.mainModule.require('fs') }}").message, /only functions like lower\(x\) can be called/);
    assert.match(failure("${{ require('child_process') }}").message, /^unknown function 'require'/);
  });

  test('names come only from the scope object itself, not its prototype', () => {
    assert.match(failure('${{ toString }}', {}).message, /^unknown name 'toString'/);
    assert.match(failure('${{ valueOf }}', Object.create({ valueOf: 1 })).message, /^unknown name 'valueOf'/);
    assert.equal(value('x', { x: undefined }), undefined);
  });
});

describe('functions', () => {
  test('the table is exactly the documented one', () => {
    assert.deepEqual([...FUNCTION_NAMES].sort(), [
      'abs', 'ceil', 'contains', 'default', 'endsWith', 'floor', 'int', 'join', 'json', 'keys', 'length', 'lower', 'max', 'min', 'now', 'number',
      'range', 'replace', 'round', 'slice', 'split', 'startsWith', 'string', 'trim', 'upper', 'urlencode', 'urljoin', 'values',
    ].sort());
  });

  test('text functions', () => {
    assert.equal(value('lower(text)'), 'hello world');
    assert.equal(value('upper(text)'), 'HELLO WORLD');
    assert.equal(value('lower(nothing)'), '');
    assert.equal(value('trim(priceText)'), '12.50');
    assert.equal(value("replace('a.b.c', '.', '$&')"), 'a$&b$&c');
    assert.equal(value("replace('aaa', 'a', 'b')"), 'bbb');
    assert.equal(value("replace('abc', '', 'x')"), 'abc');
    assert.deepEqual(value("split('a,b,,c', ',')"), ['a', 'b', '', 'c']);
    assert.deepEqual(value("split('', ',')"), []);
    assert.equal(value("join(item.tags, ' & ')"), 'home & light');
    assert.equal(value('join([1, nothing, [2]])'), '1,,[2]');
    assert.equal(value("startsWith(text, 'Hell')"), true);
    assert.equal(value("endsWith(text, 'World')"), true);
    assert.equal(value("endsWith(text, 'world')"), false);
    assert.equal(value("slice(text, 0, 5)"), 'Hello');
    assert.equal(value("slice(text, -5)"), 'World');
    assert.deepEqual(value('slice(list, 1)'), [20, 30]);
    assert.equal(value('urlencode("a b&c=d/é")'), 'a%20b%26c%3Dd%2F%C3%A9');
    assert.match(failure('${{ upper(list) }}').message, /upper\(\) needs text, but got a list/);
  });

  test('length and contains work on text, lists and objects', () => {
    assert.equal(value('length(text)'), 11);
    assert.equal(value('length(list)'), 3);
    assert.equal(value('length(item)'), 4);
    assert.equal(value('length(nothing)'), 0);
    assert.equal(value("contains(text, 'lo W')"), true);
    assert.equal(value("contains(text, 'low')"), false);
    assert.equal(value('contains(list, 20)'), true);
    assert.equal(value("contains(list, '20')"), false);
    assert.equal(value('contains([[1, 2]], [1, 2])'), true);
    assert.equal(value("contains(nothing, 'x')"), false);
    assert.match(failure('${{ contains(5, 5) }}').message, /contains\(\) looks inside text or a list, but got the number 5/);
  });

  test('numbers', () => {
    assert.equal(value('number(priceText)'), 12.5);
    assert.equal(value("number('0x10')"), 16);
    assert.equal(value('number(true)'), 1);
    assert.equal(value("int('12.9')"), 12);
    assert.equal(value('int(-12.9)'), -12);
    assert.equal(value('string(12.5) + string(nothing) + string([1])'), '12.5[1]');
    assert.equal(value('round(2.5)'), 3);
    assert.equal(value('round(-2.5)'), -3);
    assert.equal(value('round(1.005, 2)'), 1.01);
    assert.equal(value('round(1234.5678, 1)'), 1234.6);
    assert.equal(value('min(3, 1, 2)'), 1);
    assert.equal(value('max(list)'), 30);
    assert.equal(value('abs(-4)'), 4);
    assert.equal(value('floor(-1.5)'), -2);
    assert.equal(value('ceil(1.2)'), 2);
    assert.equal(value('max(range(100000))'), 99999);
    assert.match(failure("${{ number('12 apples') }}").message, /number\(\) cannot turn the text '12 apples' into a number/);
    assert.match(failure("${{ number(empty) }}").message, /cannot turn the text '' into a number/);
    assert.match(failure("${{ abs('4') }}").message, /abs\(\) needs a number, but got the text '4' \(use number/);
    assert.match(failure('${{ min([]) }}').message, /min\(\) needs at least one number/);
    assert.match(failure('${{ round(1, 1.5) }}').message, /round\(\) takes 0 to 15 digits/);
  });

  test('json, default, now', () => {
    assert.equal(value('json(item.tags)'), '["home","light"]');
    assert.equal(value("json('a')"), '"a"');
    assert.equal(value('json(item.missing)'), 'null');
    assert.equal(value("default(nothing, 'n/a')"), 'n/a');
    assert.equal(value("default(item.missing, 'n/a')"), 'n/a');
    assert.equal(value("default(empty, 'n/a')"), 'n/a');
    assert.equal(value("default(zero, 'n/a')"), 0);
    assert.equal(value("default(false, 'n/a')"), false);
    const before = Date.now();
    const now = value('now()') as string;
    assert.match(now, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.ok(Math.abs(Date.parse(now) - before) < 1000);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.match(failure('${{ json(c) }}', { c: cyclic }).message, /cannot be written as JSON/);
  });

  test('range, keys, values', () => {
    assert.deepEqual(value('range(3)'), [0, 1, 2]);
    assert.deepEqual(value('range(2, 5)'), [2, 3, 4]);
    assert.deepEqual(value('range(5, 2)'), []);
    assert.deepEqual(value('keys(product)'), ['title']);
    assert.deepEqual(value('values(product)'), ['Desk']);
    assert.deepEqual(value('keys(list)'), [0, 1, 2]);
    assert.deepEqual(value('keys(nothing)'), []);
    assert.match(failure('${{ range(1.5) }}').message, /range\(\) needs whole numbers/);
    assert.match(failure('${{ range(1e9) }}').message, /range\(\) can make at most 1000000 numbers/);
    assert.match(failure('${{ keys(text) }}').message, /keys\(\) needs an object or a list, but got the text/);
  });

  test('urljoin resolves like a browser follows a link', () => {
    assert.equal(value("urljoin('http://a/b/', 'c')"), 'http://a/b/c');
    assert.equal(value("urljoin('http://a/b', 'c')"), 'http://a/c');
    assert.equal(value("urljoin('http://a/b/c', '../d')"), 'http://a/d');
    assert.equal(value("urljoin('http://a/b/', '/root')"), 'http://a/root');
    assert.equal(value("urljoin('http://a/b/', 'https://other.test/x')"), 'https://other.test/x');
    assert.equal(value("urljoin('http://a/b/', '//cdn.test/y')"), 'http://cdn.test/y');
    assert.equal(value("urljoin('http://a/b/', '?page=2')"), 'http://a/b/?page=2');
    assert.equal(value("urljoin('http://a/list/', 'page/', 3)"), 'http://a/list/page/3');
    assert.equal(value('urljoin(serve.url, link)'), 'http://127.0.0.1:8080/products/page-1.html');
    assert.match(failure("${{ urljoin('not a url', 'x') }}").message, /urljoin\(\) needs a full URL to start from/);
  });

  test('unknown functions and wrong argument counts are caught when parsing', () => {
    const error = failure('${{ lowr(text) }}');
    assert.equal(error.message, "unknown function 'lowr' (did you mean 'lower'?)");
    assert.equal(error.offset, 4);
    assert.equal(failure('${{ frobnicate(1) }}').message, "unknown function 'frobnicate'");
    assert.equal(failure('${{ lower(1, 2) }}').message, 'lower() takes 1 argument, but got 2');
    assert.equal(failure('${{ slice(text) }}').message, 'slice() takes 2 to 3 arguments, but got 1');
    assert.equal(failure('${{ min() }}').message, 'min() takes at least 1 argument, but got 0');
    assert.match(failure("${{ text.split(',') }}").message, /only functions like lower\(x\) can be called/);
  });
});

describe('interpolate', () => {
  test('a text that is one expression keeps the value and its type', () => {
    assert.equal(interpolate('${{ index + 1 }}', scope), 3);
    assert.equal(interpolate('  ${{ done }}\n', scope), false);
    assert.equal(interpolate('${{ nothing }}', scope), null);
    assert.equal(interpolate('${{ item.missing }}', scope), undefined);
    assert.equal(interpolate('${{ item }}', scope), scope.item);
    assert.deepEqual(interpolate('${{ [index, text] }}', scope), [2, 'Hello World']);
  });

  test('any other text becomes a string with each value written in', () => {
    assert.equal(interpolate('${{ serve.url }}products/page-${{ index + 1 }}.html', scope), 'http://127.0.0.1:8080/products/page-3.html');
    assert.equal(interpolate('n=${{ index }}', scope), 'n=2');
    assert.equal(interpolate('[${{ nothing }}|${{ item.missing }}]', scope), '[|]');
    assert.equal(interpolate('${{ product }} ${{ list }}', scope), '{"title":"Desk"} [10,20,30]');
    assert.equal(interpolate('${{ done }}${{ zero }}', scope), 'false0');
    assert.equal(interpolate('no expressions here', scope), 'no expressions here');
    assert.equal(interpolate('price: ${{ "}}" }} and ${{ \'${{\' }}', scope), 'price: }} and ${{');
  });

  test('a cached text gives fresh values for each scope', () => {
    const text = 'page ${{ n }}';
    for (let n = 0; n < 3; n++) assert.equal(interpolate(text, { n }), `page ${n}`);
    assert.equal(interpolate('${{ n * 2 }}', { n: 4 }), 8);
    assert.equal(interpolate('${{ n * 2 }}', { n: 5 }), 10);
  });
});

describe('errors point at the problem in the whole text', () => {
  test('an unclosed paren is reported where the ) is missing', () => {
    const error = failure('https://example.com/${{ (1 + 2 }}');
    assert.equal(error.message, "expected a closing ')' here");
    assert.equal(error.offset, 'https://example.com/${{ (1 + 2'.length);
  });

  test('other syntax errors', () => {
    const cases: [string, string, number][] = [
      ['${{ 1 +* 2 }}', "expected a value after '+' but found '*'", 7],
      ['a ${{ 1 + }}', "expected a value after '+' here", 9],
      ['${{ lower(text }}', "expected ',' or a closing ')' here", 14],
      ['${{ list[0 }}', "expected a closing ']' here", 10],
      ['${{ a b }}', "unexpected 'b' here (is an operator or a comma missing?)", 6],
      ['${{ x = 1 }}', "a single '=' is not allowed; use '==' to compare", 6],
      ['${{ a & b }}', "use '&&' for 'and'", 6],
      ['${{ a ? b }}', "expected ':' and the value to use otherwise here", 9],
      ['${{ a. }}', "expected a property name after '.'", 6],
      ['${{ # }}', "unexpected character '#'", 4],
      ['${{ }}', 'this expression is empty; write something between ${{ and }}', 4],
      ["x ${{ 'it }}", "this text has no closing quote (')", 6],
      ['ok ${{ 1 }} then ${{ 2 ', "this '${{' is never closed with '}}'", 17],
      ["${{ '\\u12' }}", "'\\u' must be followed by 4 hex digits, like \\u00e9", 5],
    ];
    for (const [text, message, offset] of cases) {
      const error = failure(text);
      assert.equal(error.message, message, text);
      assert.equal(error.offset, offset, `${text}: ${error.message}`);
    }
  });

  test('evaluation errors point at the part that failed', () => {
    assert.equal(failure('x ${{ index + missing }}').offset, 14);
    assert.equal(failure("${{ 1 + abs('x') }}").offset, 8);
    assert.equal(failure("${{ item[list] }}").offset, 9);
  });

  test('parseExpression adds baseOffset to its offsets', () => {
    assert.throws(() => parseExpression(' (1', 100), (error: unknown) => error instanceof ExpressionError && error.offset === 103);
  });
});

describe('limits against hostile input', () => {
  test('20000 open parens give an ExpressionError, not a RangeError', () => {
    const error = failure(`\${{ ${'('.repeat(20000)} }}`);
    assert.match(error.message, /too long \(over 2000 characters\)/);
    assert.throws(() => parseExpression('('.repeat(20000)), ExpressionError);
  });

  test('nesting deeper than 100 levels is refused within the length limit', () => {
    assert.equal(value(`${'('.repeat(99)}1${')'.repeat(99)}`), 1);
    assert.match(failure(`\${{ ${'('.repeat(150)}1${')'.repeat(150)} }}`).message, /nested too deeply \(over 100 levels\)/);
    assert.match(failure(`\${{ ${'!'.repeat(500)}true }}`).message, /nested too deeply/);
    assert.match(failure(`\${{ ${'['.repeat(500)} }}`).message, /nested too deeply/);
    assert.match(failure(`\${{ ${'abs('.repeat(400)} }}`).message, /nested too deeply/);
  });

  test('long flat chains within the length limit still evaluate', () => {
    assert.equal(value(Array(999).fill('1').join('+')), 999);
  });
});

describe('finding and checking expressions', () => {
  test('findExpressions gives spans from $ to after }} with the untrimmed inner source', () => {
    assert.deepEqual(findExpressions('a ${{ x }} b ${{y}}'), [
      { start: 2, end: 10, source: ' x ' },
      { start: 13, end: 19, source: 'y' },
    ]);
    assert.deepEqual(findExpressions('no expressions'), []);
    assert.throws(() => findExpressions('a ${{ x'), (error: unknown) => error instanceof ExpressionError && error.offset === 2);
    assert.equal(hasExpression('a ${{ x }}'), true);
    assert.equal(hasExpression('a ${ x }'), false);
  });

  test('freeNames lists root names once, not functions or properties', () => {
    assert.deepEqual(freeNames(parseExpression("urljoin(serve.url, link) + item[key].x + lower(serve.name) + 'serve'")), ['serve', 'link', 'item', 'key']);
    assert.deepEqual(freeNames(parseExpression('a ? [b] : -c ?? !d')), ['a', 'b', 'c', 'd']);
  });

  test('checkExpressions gives every name use with its offset, and every syntax error', () => {
    const text = 'go ${{ product.title }} ${{ lowr(x) }} ${{ a + b + a }} ${{ (';
    const { names, errors } = checkExpressions(text);
    assert.deepEqual(names, [
      { name: 'product', offset: 7 },
      { name: 'a', offset: 43 },
      { name: 'b', offset: 47 },
      { name: 'a', offset: 51 },
    ]);
    assert.deepEqual(
      errors.map((e) => [e.message, e.offset]),
      [
        ["unknown function 'lowr' (did you mean 'lower'?)", 28],
        ["this '${{' is never closed with '}}'", text.lastIndexOf('${{')],
      ],
    );
    assert.deepEqual(checkExpressions('plain'), { names: [], errors: [] });
  });
});

test('resolveDeep interpolates every string in nested lists and objects and returns a copy', () => {
  const input = {
    url: '${{ serve.url }}list',
    count: '${{ index * 2 }}',
    nested: [{ when: '${{ !done }}', label: 'item ${{ item.name }}' }, 5, null, true, ['${{ list }}']],
    plain: 'untouched',
  };
  const output = resolveDeep(input, scope);
  assert.deepEqual(output, {
    url: 'http://127.0.0.1:8080/list',
    count: 4,
    nested: [{ when: true, label: 'item Lamp' }, 5, null, true, [[10, 20, 30]]],
    plain: 'untouched',
  });
  assert.equal(input.count, '${{ index * 2 }}');
  assert.notEqual((output as { nested: unknown }).nested, input.nested);
  const hostile = JSON.parse('{"__proto__": {"polluted": "${{ index }}"}}') as Record<string, unknown>;
  const resolved = resolveDeep(hostile, scope) as Record<string, unknown>;
  assert.deepEqual(Object.getOwnPropertyDescriptor(resolved, '__proto__')?.value, { polluted: 2 });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(resolved), Object.prototype);
});

test('didYouMean suggests close names, case-insensitively, and nothing for far ones', () => {
  assert.equal(didYouMean('prodcut', ['price', 'product', 'page']), 'product');
  assert.equal(didYouMean('URL', ['url', 'uri']), 'url');
  assert.equal(didYouMean('itme', new Set(['item', 'items'])), 'item');
  assert.equal(didYouMean('x', ['y', 'z']), undefined);
  assert.equal(didYouMean('banana', ['apple', 'cherry']), undefined);
  assert.equal(didYouMean('screenshotFolder', ['screenshotsFolder', 'outputFolder']), 'screenshotsFolder');
  assert.equal(didYouMean('anything', []), undefined);
});
