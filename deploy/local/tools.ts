/**
 * Tools the test suite runs besides the services: promtool checks the Prometheus config and
 * unit-tests the alert rules. It comes from Debian's `prometheus` package (installed without
 * starting its server: the package's service is not wanted, only the binary).
 */
import { ensureDebianPackages, which } from './toolchain.ts';

export const TEST_TOOLS = [{ command: 'promtool', debianPackage: 'prometheus' }] as const;

/** Installs the missing tools; returns where each one is. */
export async function ensureTestTools(say: (message: string) => void): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const tool of TEST_TOOLS) {
    let location = await which(tool.command);
    if (!location) {
      say(`${tool.command}: installing the ${tool.debianPackage} package`);
      await ensureDebianPackages(tool.command, [tool.debianPackage]);
      location = await which(tool.command);
    }
    if (location) found[tool.command] = location;
  }
  return found;
}
