import { D, fmt, sum, zDecimal, zNonNegativeDecimal, zPositiveDecimal } from '../../domain/money';

function issues(schema: typeof zDecimal, v: unknown): string[] {
  const r = schema.safeParse(v);
  if (r.success) throw new Error(`expected ${String(v)} to be rejected, got ${r.data}`);
  return r.error.issues.map((i) => i.message);
}

describe('zDecimal', () => {
  it.each([
    ['0.001', '0.001'],
    ['  12.50 ', '12.5'],
    ['100', '100'],
    ['-3.1400', '-3.14'],
    ['0', '0'],
  ])('accepts the string %j as %j', (input, out) => {
    expect(zDecimal.parse(input)).toBe(out);
  });

  it('accepts finite numbers and outputs a canonical string (never a float)', () => {
    expect(zDecimal.parse(0.001)).toBe('0.001');
    // 1e-7 prints with an exponent in JS; the output must not.
    expect(zDecimal.parse(1e-7)).toBe('0.0000001');
    expect(zDecimal.parse(42)).toBe('42');
    expect(typeof zDecimal.parse(0.5)).toBe('string');
  });

  it.each<[string, unknown]>([
    ['exponent notation', '1e5'],
    ['letters', 'abc'],
    ['empty string', ''],
    ['a trailing point', '1.'],
    ['a leading point', '.5'],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['a boolean', true],
    ['null', null],
  ])('rejects %s with an "expected a decimal" message', (_what, v) => {
    const msgs = issues(zDecimal, v);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toContain('expected a decimal');
  });

  it('echoes the bad value in the message', () => {
    expect(issues(zDecimal, 'abc')[0]).toContain('"abc"');
    expect(issues(zDecimal, NaN)[0]).toContain('NaN');
  });
});

describe('zPositiveDecimal / zNonNegativeDecimal', () => {
  it('zPositiveDecimal rejects 0 (string and number) and negatives, accepts the smallest positive', () => {
    expect(zPositiveDecimal.safeParse('0').success).toBe(false);
    expect(zPositiveDecimal.safeParse(0).success).toBe(false);
    expect(zPositiveDecimal.safeParse('0.000').success).toBe(false);
    expect(zPositiveDecimal.safeParse('-1').success).toBe(false);
    expect(zPositiveDecimal.parse('0.000000000000000001')).toBe('0.000000000000000001');
    const r = zPositiveDecimal.safeParse('0');
    expect(r.success ? '' : r.error.issues[0]?.message).toBe('must be greater than 0');
  });

  it('zNonNegativeDecimal accepts 0 and rejects negatives', () => {
    expect(zNonNegativeDecimal.parse('0')).toBe('0');
    expect(zNonNegativeDecimal.safeParse('-0.01').success).toBe(false);
  });
});

describe('fmt', () => {
  it('strips trailing zeros but never integer zeros', () => {
    expect(fmt('1.2000')).toBe('1.2');
    expect(fmt('100')).toBe('100');
    expect(fmt('100.00')).toBe('100');
    expect(fmt('0.0')).toBe('0');
  });

  it('never uses exponent notation', () => {
    expect(fmt('1e-12')).toBe('0.000000000001');
    expect(fmt('1e21')).toBe('1000000000000000000000');
  });

  it('rounds half to even at dp', () => {
    // ties go to the even neighbour
    expect(fmt('0.125', 2)).toBe('0.12'); // 2 is even
    expect(fmt('0.135', 2)).toBe('0.14'); // 4 is even
    expect(fmt('2.5', 0)).toBe('2');
    expect(fmt('3.5', 0)).toBe('4');
    expect(fmt('-0.125', 2)).toBe('-0.12');
    // non-ties round to nearest
    expect(fmt('0.1251', 2)).toBe('0.13');
    expect(fmt('0.1249', 2)).toBe('0.12');
    // rounding away the fraction leaves no trailing point/zeros
    expect(fmt('1.0004', 3)).toBe('1');
  });

  it('does not print negative zero', () => {
    expect(fmt('-0.0001', 2)).toBe('0');
  });
});

describe('sum', () => {
  it('adds 0.1 + 0.2 to exactly 0.3', () => {
    // In floats 0.1 + 0.2 = 0.30000000000000004.
    const s = sum(['0.1', '0.2']);
    expect(fmt(s)).toBe('0.3');
    expect(s.eq(new D('0.3'))).toBe(true);
  });

  it('is 0 for an empty list and handles mixed value types', () => {
    expect(fmt(sum([]))).toBe('0');
    // 0.1 + 0.2 + 0.3 + (-0.6) = 0
    expect(fmt(sum(['0.1', 0.2, new D('0.3'), '-0.6']))).toBe('0');
  });
});
