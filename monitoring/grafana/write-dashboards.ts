/** `npm run dashboards`: writes monitoring/grafana/dashboards/*.json from dashboards.ts. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DASHBOARDS, dashboardFile, renderDashboard } from './dashboards.ts';

for (const spec of DASHBOARDS) {
  writeFileSync(dashboardFile(spec), `${JSON.stringify(renderDashboard(spec), null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), dashboardFile(spec))}`);
}
