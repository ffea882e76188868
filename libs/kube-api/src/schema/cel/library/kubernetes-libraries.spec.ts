import { customResourceSchema } from '@openpacific/contracts';
import { compileSchemaRules } from '../cel-compile';
import { validateRules } from '../cel-evaluate';

const spec = {
  type: 'object',
  properties: {
    nums: { type: 'array', items: { type: 'integer' } },
    ratios: { type: 'array', items: { type: 'number' } },
    names: { type: 'array', items: { type: 'string' } },
    text: { type: 'string' },
  },
};
const value = { nums: [3, 1, 2, 2], ratios: [0.5, 1.25], names: ['a', 'b', 'c'], text: 'id-12 and id-345' };

/** The causes of one rule on `spec` (none when it holds). */
function check(rule: string, specValue: object = value): string[] {
  const schema = customResourceSchema({ type: 'object', properties: { spec: { ...spec, 'x-kubernetes-validations': [{ rule }] } } });
  return validateRules(schema, { spec: specValue }, undefined).map((c) => `${c.field}: ${c.message}`);
}

const holds = (rules: string[]) => {
  for (const rule of rules) expect([rule, check(rule)]).toEqual([rule, []]);
};

describe("Kubernetes' CEL libraries in x-kubernetes-validations", () => {
  it('lists: isSorted, sum, min, max, indexOf, lastIndexOf', () => {
    holds([
      '!self.nums.isSorted() && self.names.isSorted() && [1, 2, 2].isSorted()',
      'self.nums.sum() == 8 && self.ratios.sum() == 1.75 && self.nums.min() == 1 && self.nums.max() == 3',
      'self.names.min() == "a" && self.names.max() == "c"',
      'self.nums.indexOf(2) == 2 && self.nums.lastIndexOf(2) == 3 && self.names.indexOf("z") == -1',
    ]);
    expect(check('[].min() == 0')).toEqual(['spec: Invalid value: "object": min called on empty list evaluating rule: [].min() == 0']);
  });

  it('regex: find and findAll', () => {
    holds([
      'self.text.find("[0-9]+") == "12" && self.text.find("x+") == ""',
      'self.text.findAll("[0-9]+") == ["12", "345"] && self.text.findAll("[0-9]+", 1) == ["12"]',
      '"ID-7".find("(?i)id-[0-9]") == "ID-7" && "abc".findAll("x") == []',
    ]);
    // Found by RE2 in time linear in the string: a backtracking engine would try the 5,000 a's exponentially often.
    holds([`"${'a'.repeat(5000)}!ab".find("(a+)+b") == "ab" && "${'a'.repeat(5000)}!ab".findAll("(a+)+b") == ["ab"]`]);
    // RE2 refuses what JavaScript would take (a lookahead), as in kube-apiserver.
    expect(check('"ab".find("a(?=b)") == "a"')[0]).toMatch(/^spec: Invalid value: "object": .*evaluating rule: "ab"\.find/);
  });

  it('sets: contains, equivalent, intersects', () => {
    holds(['sets.contains(self.names, ["a", "c"]) && sets.equivalent([1, 2], [2, 1, 1]) && !sets.intersects([1], [2])']);
  });

  it('strings extension: lowerAscii, split, join, replace, substring, format', () => {
    holds(['"AbC".lowerAscii() == "abc" && "a,b".split(",").join("-") == "a-b" && "aXa".replace("a", "b") == "bXb"', '"hello".substring(1, 3) == "el" && " x ".trim() == "x" && "%s-%d".format(["a", 1]) == "a-1"']);
  });

  it('url: parsing and its accessors', () => {
    holds([
      'isURL("https://example.com:8443/a/b?x=1&x=2") && !isURL("example.com")',
      'url("https://example.com:8443/a/b?x=1&x=2").getHostname() == "example.com" && url("https://example.com:8443/a").getPort() == "8443"',
      'url("HTTPS://example.com:8443/a/b").getScheme() == "https" && url("https://example.com:8443/a/b").getHost() == "example.com:8443"',
      'url("https://[::1]:80/p").getHostname() == "::1" && url("/a/b").getEscapedPath() == "/a/b" && url("https://x/?x=1&x=2").getQuery()["x"] == ["1", "2"]',
    ]);
    expect(check('url("example.com").getHost() == ""')).toEqual([
      'spec: Invalid value: "object": URL parse error during conversion from string: parse "example.com": invalid URI for request evaluating rule: url("example.com").getHost() == ""',
    ]);
  });

  it('quantity: parsing, comparison, arithmetic and conversion', () => {
    holds([
      'isQuantity("1.5Gi") && !isQuantity("1.5 GB") && quantity("1") == quantity("1000m")',
      'quantity("500m").isLessThan(quantity("1")) && quantity("2Ki").isGreaterThan(quantity("2k")) && quantity("1k").compareTo(quantity("1000")) == 0',
      'quantity("1.5").add(quantity("500m")).asInteger() == 2 && quantity("3").sub(1).asInteger() == 2 && quantity("1Mi").asInteger() == 1048576',
      '!quantity("1.5").isInteger() && quantity("-2").sign() == -1 && quantity("250m").asApproximateFloat() == 0.25',
    ]);
    expect(check('quantity("1.5").asInteger() == 1')).toEqual(['spec: Invalid value: "object": cannot convert value to integer evaluating rule: quantity("1.5").asInteger() == 1']);
    expect(check('quantity("lots").sign() == 1')[0]).toContain("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });

  it('ip and cidr: parsing, families, classes and containment', () => {
    holds([
      'isIP("10.0.0.1") && isIP("fd00::1") && !isIP("010.0.0.1") && !isIP("::ffff:10.0.0.1") && !isIP("10.0.0.0/8")',
      'ip("10.0.0.1").family() == 4 && ip("fd00::1").family() == 6 && ip("127.0.0.1").isLoopback() && ip("::").isUnspecified()',
      'ip("169.254.1.1").isLinkLocalUnicast() && ip("fe80::1").isLinkLocalUnicast() && ip("224.0.0.1").isLinkLocalMulticast() && ip("8.8.8.8").isGlobalUnicast()',
      'ip.isCanonical("2001:db8::1") && !ip.isCanonical("2001:DB8:0::1") && string(ip("2001:DB8:0:0::1")) == "2001:db8::1"',
      'cidr("10.0.0.0/8").containsIP("10.1.2.3") && !cidr("10.0.0.0/8").containsIP(ip("11.0.0.1")) && cidr("fd00::/16").containsIP("fd00:1::1")',
      'cidr("10.0.0.0/8").containsCIDR("10.1.0.0/16") && !cidr("10.1.0.0/16").containsCIDR(cidr("10.0.0.0/8"))',
      'cidr("10.1.2.3/8").ip() == ip("10.1.2.3") && string(cidr("10.1.2.3/8").masked()) == "10.0.0.0/8" && cidr("10.0.0.0/8").prefixLength() == 8',
      'isCIDR("10.0.0.0/8") && !isCIDR("10.0.0.0/33") && !isCIDR("10.0.0.1")',
    ]);
    expect(check('ip("fe80::1%eth0").family() == 6')[0]).toContain('IP Address with zone value is not allowed evaluating rule');
  });

  it('hands strings of the date-time, date, duration and byte formats to rules as timestamps, durations and bytes', () => {
    const formats = {
      type: 'object',
      properties: {
        until: { type: 'string', format: 'date-time' },
        day: { type: 'string', format: 'date' },
        timeout: { type: 'string', format: 'duration' },
        data: { type: 'string', format: 'byte' },
      },
      'x-kubernetes-validations': [
        { rule: "self.until > timestamp('2026-01-01T00:00:00Z') && self.until.getFullYear() == 2027" },
        { rule: "self.day == timestamp('2026-12-04T00:00:00Z') && self.timeout < duration('1h') && self.data == b'hi'" },
      ],
    };
    const schema = customResourceSchema({ type: 'object', properties: { spec: formats } });
    const run = (spec: object) => validateRules(schema, { spec }, undefined).map((c) => c.message);
    expect(run({ until: '2027-03-01T10:00:00Z', day: '2026-12-04', timeout: '30m', data: 'aGk=' })).toEqual([]);
    expect(run({ until: '2025-03-01T10:00:00Z', day: '2026-12-04', timeout: '2h', data: 'aGk=' })).toEqual([
      "Invalid value: \"object\": failed rule: self.until > timestamp('2026-01-01T00:00:00Z') && self.until.getFullYear() == 2027",
      "Invalid value: \"object\": failed rule: self.day == timestamp('2026-12-04T00:00:00Z') && self.timeout < duration('1h') && self.data == b'hi'",
    ]);
  });

  it('refuses at compile time a function no library declares', () => {
    const schema = customResourceSchema({ type: 'object', properties: { spec: { ...spec, 'x-kubernetes-validations': [{ rule: 'self.nums.median() == 1' }] } } });
    expect(compileSchemaRules(schema).errors.map((e) => e.detail)).toEqual(["compilation failed: ERROR: <input>: undeclared reference to 'median' (in container '')"]);
  });
});
