/**
 * Global setup of the projects that run against PostgreSQL: one private cluster for
 * the run (see postgres.ts), handed to the test files through `inject('agentVaultPg')`,
 * and removed at the end. Without PostgreSQL it starts nothing, and the tests skip.
 */
import type { TestProject } from 'vitest/node';
import { postgresBinDir, removeCluster, startCluster, type Cluster } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    agentVaultPg: Cluster | null;
  }
}

export default function setup(project: TestProject): () => void {
  if (postgresBinDir() === undefined) {
    project.provide('agentVaultPg', null);
    return () => {};
  }
  const cluster = startCluster();
  project.provide('agentVaultPg', cluster);
  return () => removeCluster(cluster);
}
