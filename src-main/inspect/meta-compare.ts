/** The file meta group (0002,xxxx) of two files, element by element. */
import type { MetaElement } from '../dicom/p10-reader.ts';
import { formatTag } from '../dicom/tag-format.ts';
import { keywordOf } from './tag-dictionary.ts';
import { displayValue } from './value-display.ts';
import type { MetaDifference, MetaSide } from '../api/types/compare-report.ts';

export function compareMetaGroups(a: MetaElement[], b: MetaElement[]): MetaDifference[] {
  const byTagB = new Map(b.map((e) => [e.tag, e]));
  const byTagA = new Map(a.map((e) => [e.tag, e]));
  const tags = [...new Set([...byTagA.keys(), ...byTagB.keys()])].sort((x, y) => x - y);
  const differences: MetaDifference[] = [];
  for (const tag of tags) {
    const ea = byTagA.get(tag);
    const eb = byTagB.get(tag);
    const keyword = keywordOf(tag);
    const base = { path: formatTag(tag), ...(keyword ? { keyword } : {}) };
    if (ea && eb) {
      if (ea.vr !== eb.vr) {
        differences.push({ kind: 'vr-changed', ...base, a: side(ea), b: side(eb), description: `${ea.vr} → ${eb.vr}` });
      } else if (!ea.value.equals(eb.value)) {
        differences.push({
          kind: 'value-changed',
          ...base,
          a: side(ea),
          b: side(eb),
          description: `${side(ea).value} → ${side(eb).value}`,
        });
      }
    } else if (ea) {
      differences.push({ kind: 'element-removed', ...base, a: side(ea), description: `only in A: ${side(ea).value}` });
    } else if (eb) {
      differences.push({ kind: 'element-added', ...base, b: side(eb), description: `only in B: ${side(eb).value}` });
    }
  }
  return differences;
}

function side(element: MetaElement): MetaSide {
  return {
    vr: element.vr,
    offset: element.offset,
    valueOffset: element.valueOffset,
    valueLength: element.valueLength,
    // The meta group is always little endian (PS3.10 §7.1).
    value: displayValue(element.vr, element.value, true),
  };
}
