/**
 * Writes what the catalog generates: schemas/transaction-features.avsc,
 * schemas/transaction-labeled.avsc and the feature table in processors/README.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../core/paths.ts';
import { catalogMarkdown, featuresSchema, labeledSchema } from './catalog.ts';

export const CATALOG_BEGIN = '<!-- catalog:begin (npm run catalog) -->';
export const CATALOG_END = '<!-- catalog:end -->';

export function generatedFiles(root = projectRoot()): Map<string, string> {
  const readmePath = path.join(root, 'processors', 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const begin = readme.indexOf(CATALOG_BEGIN);
  const end = readme.indexOf(CATALOG_END);
  const table = `${CATALOG_BEGIN}\n${catalogMarkdown()}\n${CATALOG_END}`;
  const nextReadme =
    begin >= 0 && end > begin
      ? readme.slice(0, begin) + table + readme.slice(end + CATALOG_END.length)
      : `${readme.trimEnd()}\n\n${table}\n`;
  return new Map([
    [
      path.join(root, 'schemas', 'transaction-features.avsc'),
      `${JSON.stringify(featuresSchema(), null, 2)}\n`,
    ],
    [path.join(root, 'schemas', 'transaction-labeled.avsc'), `${JSON.stringify(labeledSchema(), null, 2)}\n`],
    [readmePath, nextReadme],
  ]);
}

if (import.meta.main) {
  for (const [file, content] of generatedFiles()) writeFileSync(file, content);
  console.log('catalog written: schemas/transaction-*.avsc, processors/README.md');
}
