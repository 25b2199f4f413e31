import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, escapeHtml, escapeMarkdown, escapeScriptContent, jsonForHtmlScript } from '../../reports/escape.js';
import { ninesTicks, ninesX, percentileAtNinesX, percentileLabel, spectrumPercentiles } from '../../reports/nines.js';

const HOSTILE = '</script><script>alert(1)</script>';

describe('escaping', () => {
  it('escapeHtml leaves no markup characters and round-trips through entity decoding', () => {
    expect(escapeHtml(HOSTILE)).toBe('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    fc.assert(fc.property(fc.string(), (s) => {
      const e = escapeHtml(s);
      expect(e).not.toMatch(/[<>"']/);
      const back = e.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
      expect(back).toBe(s);
    }));
  });

  it('jsonForHtmlScript cannot close the script element and parses back to the value', () => {
    const v = { label: HOSTILE, other: '<!-- x --> & \u2028\u2029', n: [1, 2.5, null] };
    const j = jsonForHtmlScript(v);
    expect(j).not.toMatch(/<\/script/i);
    expect(j).not.toContain('<!--');
    expect(j).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(j)).toEqual(v);
    fc.assert(fc.property(fc.jsonValue(), (x) => {
      const s = jsonForHtmlScript(x);
      expect(s).not.toMatch(/[<>&]/);
      expect(JSON.parse(s)).toEqual(JSON.parse(JSON.stringify(x)));
    }));
  });

  it('escapeScriptContent removes every </script and <!-- (any case)', () => {
    const js = 'var a = "</script>", b = "</SCRIPT >", c = "<!--";';
    const e = escapeScriptContent(js);
    expect(e).not.toMatch(/<\/script/i);
    expect(e).not.toContain('<!--');
    // inside string literals the escaped form evaluates to the same strings
    const f = new Function(`${e}; return [a, b, c];`) as () => string[];
    expect(f()).toEqual(['</script>', '</SCRIPT >', '<!--']);
  });

  it('escapeMarkdown neutralises HTML, table pipes, links and newlines', () => {
    const e = escapeMarkdown(`${HOSTILE} | [x](http://e) *b*\nnext`);
    expect(e).not.toMatch(/[<>\n]/);
    expect(e).not.toMatch(/(^|[^\\])\|/);
    expect(e).toContain('\\[x\\](http://e)');
    expect(e).toContain('\\*b\\*');
  });

  it('csvField quotes per RFC 4180 and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('=cmd()')).toBe("'=cmd()");
    expect(csvField('-12.5')).toBe('-12.5');
    expect(csvField(null)).toBe('');
    expect(csvField(3)).toBe('3');
  });
});

describe('nines axis', () => {
  it('places percentiles one decade per nine', () => {
    expect(ninesX(0)).toBe(1);
    expect(ninesX(50)).toBe(2);
    expect(ninesX(90)).toBeCloseTo(10, 9);
    expect(ninesX(99)).toBeCloseTo(100, 9);
    expect(ninesX(99.9)).toBeCloseTo(1000, 6);
    expect(() => ninesX(100)).toThrow(RangeError);
    expect(() => ninesX(-1)).toThrow(RangeError);
    for (const p of [0, 12.5, 50, 99.99]) expect(percentileAtNinesX(ninesX(p))).toBeCloseTo(p, 9);
  });

  it('labels ticks without float noise', () => {
    expect(ninesTicks(3)).toEqual({ tickvals: [1, 2, 10, 100, 1000], ticktext: ['0%', '50%', '90%', '99%', '99.9%'] });
    expect(percentileLabel(100 * (1 - 1e-4))).toBe('99.99%');
  });

  it('samples percentiles evenly in nines up to what the count resolves', () => {
    expect(spectrumPercentiles(0)).toEqual([]);
    const ps = spectrumPercentiles(1000, 10);
    expect(ps[0]).toBe(0);
    expect(ps).toHaveLength(31);
    expect(ps.at(-1)).toBeCloseTo(99.9, 9);
    const xs = ps.map(ninesX);
    for (let i = 1; i < xs.length; i++) expect(Math.log10(xs[i]!) - Math.log10(xs[i - 1]!)).toBeCloseTo(0.1, 9);
  });
});
