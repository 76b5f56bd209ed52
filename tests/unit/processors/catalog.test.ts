import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { featureFields, featuresSchema, labeledSchema } from '../../../processors/features/catalog.ts';
import { generatedFiles } from '../../../processors/features/write-catalog.ts';

describe('feature catalog', () => {
  it('is what schemas/ and processors/README.md hold (run npm run catalog after a change)', () => {
    for (const [file, content] of generatedFiles()) expect(readFileSync(file, 'utf8'), file).toBe(content);
  });

  it('names every feature once and documents it', () => {
    const names = featureFields.map((spec) => spec.name);
    expect(new Set(names).size).toBe(names.length);
    expect(featureFields.every((spec) => spec.definition.length > 5)).toBe(true);
    expect(names).toEqual(
      expect.arrayContaining(['isWeekend', 'isNight', 'customerTxCount7d', 'merchantRisk30d']),
    );
  });

  it('builds valid Avro schemas, the labeled one extending the features one', () => {
    const features = avro.Type.forSchema(featuresSchema() as avro.Schema) as avro.types.RecordType;
    const labeled = avro.Type.forSchema(labeledSchema() as avro.Schema) as avro.types.RecordType;
    const featureNames = features.fields.map((field) => field.name);
    expect(labeled.fields.map((field) => field.name).slice(0, featureNames.length)).toEqual(featureNames);
  });
});
